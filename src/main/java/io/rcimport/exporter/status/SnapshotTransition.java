package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ServerVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The pure step from one snapshot to the next: previous snapshot + poll report + the time →
 * next snapshot and, if the reported state changed, the transition. All derived numbers
 * (rate, ETA, stall, awaiting an operator) are computed here, once per poll, never on the read path.
 */
public final class SnapshotTransition {
    private SnapshotTransition() {
    }

    /** What one poll changed. */
    public record Change(TargetSnapshot previous, TargetSnapshot current, Optional<StateTransition> transition) {
    }

    public static Change apply(TargetSnapshot prev, PollResult result, Instant now, Duration stallAfter) {
        return apply(prev, PollReport.of(result), now, HeartbeatLimits.stallAfter(stallAfter));
    }

    public static Change apply(TargetSnapshot prev, PollReport report, Instant now, HeartbeatLimits limits) {
        ServerFacts server = prev.server().with(report.version(), report.recentOperations());
        if (report.result() instanceof PollResult.Success success) {
            LastGoodImport good = lastGood(prev, success, now, limits);
            Optional<StateTransition> transition = prev.status()
                    .map(ImportStatus::state)
                    .filter(previous -> previous != good.status().state())
                    .map(previous -> new StateTransition(previous, good.status().state(), now,
                            prev.lastGood().map(LastGoodImport::restored).orElse(false)));
            TargetSnapshot next = new TargetSnapshot(prev.target(), prev.poll().afterSuccess(success, now), Optional.of(good), server);
            return new Change(prev, next, transition);
        }
        PollResult.Failure failure = (PollResult.Failure) report.result();
        PollHealth poll = prev.poll().afterFailure(failure, explained(failure, server), now);
        return new Change(prev, new TargetSnapshot(prev.target(), poll, prev.lastGood(), server), Optional.empty());
    }

    /** A 404 from a server known to be older than 6.3 says why, instead of guessing between two causes. */
    static String explained(PollResult.Failure failure, ServerFacts server) {
        Optional<ServerVersion> tooOld = server.version().filter(v -> !v.hasImportStatus());
        if (failure.outcome() == Outcome.NOT_FOUND && tooOld.isPresent()) {
            return "HTTP 404: Rocket.Chat " + tooOld.get().majorMinor() + " has no import.status; it needs 6.3 or later";
        }
        return failure.message();
    }

    private static LastGoodImport lastGood(TargetSnapshot prev, PollResult.Success success, Instant now, HeartbeatLimits limits) {
        ImportStatus status = success.status();
        ImportState state = status.state();
        boolean sameState = prev.status().map(ImportStatus::state).filter(s -> s == state).isPresent();
        Instant stateSince = sameState ? prev.stateSince().orElse(now) : now;

        // Records are processed only while importing: the rate's window starts there (time spent
        // new or ready would drag it down) and the rate is 0 in every other state.
        ProgressHistory history = status.operation()
                .filter(op -> state == ImportState.IMPORTING)
                .map(op -> prev.history().observe(op.id(), op.counts().processed(), now))
                .orElse(ProgressHistory.empty());
        OptionalDouble rate = state == ImportState.IMPORTING
                ? nonNegative(history.ratePerSecond(now))
                : status.operation().isPresent() ? OptionalDouble.of(0) : OptionalDouble.empty();
        OptionalDouble eta = eta(state, status.counts(), rate);
        Optional<Instant> heartbeatSince = heartbeatSince(prev, status.operation(), now);
        boolean atOperatorStep = status.operation().map(ImportOperation::atOperatorStep).orElse(false);
        boolean stalled = !atOperatorStep && stalled(state, heartbeatSince, now, limits.stallAfter());
        boolean awaitingOperator = atOperatorStep && unchangedFor(heartbeatSince, now, limits.awaitingOperatorAfter());
        return new LastGoodImport(now, status, RawStatus.of(success.rawBody(), now), stateSince, history, rate, eta,
                stalled, awaitingOperator, heartbeatSince, false);
    }

    private static OptionalDouble nonNegative(OptionalDouble rate) {
        return rate.isPresent() && rate.getAsDouble() < 0 ? OptionalDouble.of(0) : rate;
    }

    /** Seconds to finish at the current rate, while importing with a known total and a positive rate. */
    static OptionalDouble eta(ImportState state, ImportCounts counts, OptionalDouble rate) {
        if (state != ImportState.IMPORTING || counts.total() <= 0 || rate.isEmpty() || rate.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        long remaining = counts.total() - counts.processed();
        if (remaining <= 0) {
            return OptionalDouble.empty(); // finishing, or over-counted (servers do): no honest estimate
        }
        return OptionalDouble.of(remaining / rate.getAsDouble());
    }

    /**
     * Since when the operation's {@code _updatedAt} (the importer's heartbeat: written on every
     * status or count change) has had its current value, on our clock. A changed value starts
     * now; the same value keeps its start. On the first sight of an operation the server's own
     * age of the value is believed (an import that stalled before the agent started is stalled at
     * once), capped at now: this is the only moment the two clocks are compared.
     */
    static Optional<Instant> heartbeatSince(TargetSnapshot prev, Optional<ImportOperation> operation, Instant now) {
        Optional<Instant> updated = operation.flatMap(ImportOperation::updatedAt);
        if (updated.isEmpty()) {
            return Optional.empty();
        }
        Optional<ImportOperation> before = prev.operation().filter(op -> op.id().equals(operation.get().id()));
        if (before.isEmpty()) {
            return Optional.of(updated.get().isBefore(now) ? updated.get() : now);
        }
        if (before.get().updatedAt().equals(updated) && prev.heartbeatSince().isPresent()) {
            return prev.heartbeatSince();
        }
        return Optional.of(now);
    }

    /**
     * Loading or importing, and the heartbeat unchanged for {@code stallAfter}. The server's own
     * heartbeat, not our poll times: a poll that sees nothing new says nothing about the importer.
     * (A step that waits for an admin is never a stall: the caller checks that first.)
     */
    static boolean stalled(ImportState state, Optional<Instant> heartbeatSince, Instant now, Duration stallAfter) {
        return ImportState.ACTIVE.contains(state) && unchangedFor(heartbeatSince, now, stallAfter);
    }

    private static boolean unchangedFor(Optional<Instant> heartbeatSince, Instant now, Duration limit) {
        return heartbeatSince.map(since -> Duration.between(since, now).compareTo(limit) >= 0).orElse(false);
    }
}
