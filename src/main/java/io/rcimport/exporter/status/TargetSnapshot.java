package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.ServerVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Everything known about one target after its last poll: immutable, replaced whole on every
 * poll. Three parts that change for different reasons: {@code poll}, how the last poll of any
 * kind went; {@code lastGood}, the last good status and what was derived from it (absent until
 * the first good poll); {@code server}, the server's version and recent operations. The
 * accessors below read through them, so readers need not know the parts.
 */
public record TargetSnapshot(String target, PollHealth poll, Optional<LastGoodImport> lastGood, ServerFacts server) {

    public static TargetSnapshot initial(String target) {
        return new TargetSnapshot(target, PollHealth.none(), Optional.empty(), ServerFacts.unknown());
    }

    /** At least one poll finished, good or not (what {@code /ready} waits for). */
    public boolean polled() {
        return poll.polls() > 0;
    }

    /** True when the last poll returned a valid status. */
    public boolean up() {
        return poll.lastOutcome().filter(o -> o == Outcome.SUCCESS).isPresent();
    }

    /** Up, and the data not stale: what {@code rocketchat_import_up} and {@code /status} report. */
    public boolean upAt(Instant now, Duration staleAfter) {
        return up() && !stale(now, staleAfter);
    }

    /**
     * No good poll for longer than {@code staleAfter} (or never), or only a status kept from before
     * a restart that no poll has confirmed yet: the data series are withdrawn.
     */
    public boolean stale(Instant now, Duration staleAfter) {
        return lastGood.map(g -> g.restored() || Duration.between(g.fetchedAt(), now).compareTo(staleAfter) > 0).orElse(true);
    }

    /** Kept on disk before a restart, not yet confirmed by a poll. */
    public boolean restored() {
        return lastGood.map(LastGoodImport::restored).orElse(false);
    }

    /** The last reported state; {@code unknown} before the first good poll. */
    public ImportState state() {
        return status().map(ImportStatus::state).orElse(ImportState.UNKNOWN);
    }

    public Optional<ImportOperation> operation() {
        return status().flatMap(ImportStatus::operation);
    }

    public ImportCounts counts() {
        return status().map(ImportStatus::counts).orElse(ImportCounts.EMPTY);
    }

    /** {@code (completed + error) / total}, at most 1 (servers over-count); absent while total is 0 ("unknown", not 0 %). */
    public OptionalDouble progressRatio() {
        ImportCounts c = counts();
        if (operation().isEmpty() || c.total() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.min(1.0, (double) c.processed() / c.total()));
    }

    // The last poll of any kind.

    public long polls() {
        return poll.polls();
    }

    public Optional<Instant> lastPollAt() {
        return poll.lastPollAt();
    }

    public Optional<Outcome> lastOutcome() {
        return poll.lastOutcome();
    }

    public Optional<PollError> lastError() {
        return poll.lastError();
    }

    public OptionalLong rateLimitRemaining() {
        return poll.rateLimitRemaining();
    }

    public Optional<Instant> notBefore() {
        return poll.notBefore();
    }

    public int consecutiveFailures() {
        return poll.consecutiveFailures();
    }

    // The last good status.

    public Optional<Instant> lastSuccessAt() {
        return lastGood.map(LastGoodImport::fetchedAt);
    }

    public Optional<ImportStatus> status() {
        return lastGood.map(LastGoodImport::status);
    }

    public Optional<RawStatus> raw() {
        return lastGood.map(LastGoodImport::raw);
    }

    public Optional<Instant> stateSince() {
        return lastGood.map(LastGoodImport::stateSince);
    }

    public ProgressHistory history() {
        return lastGood.map(LastGoodImport::history).orElse(ProgressHistory.empty());
    }

    public OptionalDouble recordsPerSecond() {
        return lastGood.map(LastGoodImport::recordsPerSecond).orElse(OptionalDouble.empty());
    }

    public OptionalDouble etaSeconds() {
        return lastGood.map(LastGoodImport::etaSeconds).orElse(OptionalDouble.empty());
    }

    public boolean stalled() {
        return lastGood.map(LastGoodImport::stalled).orElse(false);
    }

    public boolean awaitingOperator() {
        return lastGood.map(LastGoodImport::awaitingOperator).orElse(false);
    }

    public Optional<Instant> heartbeatSince() {
        return lastGood.flatMap(LastGoodImport::heartbeatSince);
    }

    // The server.

    public Optional<ServerVersion> serverVersion() {
        return server.version();
    }

    public List<ImportOperation> recentOperations() {
        return server.recentOperations();
    }
}
