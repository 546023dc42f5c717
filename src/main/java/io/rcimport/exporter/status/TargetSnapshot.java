package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Everything known about one target after its last poll: immutable, replaced whole on every
 * poll. The import data ({@code status}, {@code raw}, rate, ETA, stall) always belongs to the
 * last good poll; {@code lastOutcome} and {@code lastError} to the last poll of any kind.
 * {@code heartbeatSince}: since when (on our clock) the operation's {@code _updatedAt} has had
 * its current value.
 */
public record TargetSnapshot(
        String target,
        long polls,
        Optional<Instant> lastPollAt,
        Optional<Outcome> lastOutcome,
        Optional<PollError> lastError,
        Optional<Instant> lastSuccessAt,
        Optional<ImportStatus> status,
        Optional<RawStatus> raw,
        Optional<Instant> stateSince,
        ProgressHistory history,
        OptionalDouble recordsPerSecond,
        OptionalDouble etaSeconds,
        boolean stalled,
        OptionalLong rateLimitRemaining,
        Optional<Instant> notBefore,
        int consecutiveFailures,
        Optional<Instant> heartbeatSince) {

    public static TargetSnapshot initial(String target) {
        return new TargetSnapshot(target, 0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), ProgressHistory.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), false, OptionalLong.empty(), Optional.empty(), 0,
                Optional.empty());
    }

    /** At least one poll finished, good or not (what {@code /ready} waits for). */
    public boolean polled() {
        return polls > 0;
    }

    /** True when the last poll returned a valid status. */
    public boolean up() {
        return lastOutcome.filter(o -> o == Outcome.SUCCESS).isPresent();
    }

    /** Up, and the data not stale: what {@code rocketchat_import_up} and {@code /status} report. */
    public boolean upAt(Instant now, Duration staleAfter) {
        return up() && !stale(now, staleAfter);
    }

    /** No good poll for longer than {@code staleAfter} (or never): the data series are withdrawn. */
    public boolean stale(Instant now, Duration staleAfter) {
        return lastSuccessAt.map(t -> Duration.between(t, now).compareTo(staleAfter) > 0).orElse(true);
    }

    /** The last reported state; {@code unknown} before the first good poll. */
    public ImportState state() {
        return status.map(ImportStatus::state).orElse(ImportState.UNKNOWN);
    }

    public Optional<ImportOperation> operation() {
        return status.flatMap(ImportStatus::operation);
    }

    public ImportCounts counts() {
        return status.map(ImportStatus::counts).orElse(ImportCounts.EMPTY);
    }

    /** {@code (completed + error) / total}; absent while total is 0 ("unknown", not 0 %). */
    public OptionalDouble progressRatio() {
        ImportCounts c = counts();
        if (operation().isEmpty() || c.total() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.min(1.0, (double) c.processed() / c.total()));
    }
}
