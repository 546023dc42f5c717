package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The pure step from one snapshot to the next: previous snapshot + poll result + the time →
 * next snapshot and, if the reported state changed, the transition. All derived numbers
 * (rate, ETA, stall) are computed here, once per poll, never on the read path.
 */
public final class SnapshotTransition {
    private SnapshotTransition() {
    }

    /** What one poll changed. */
    public record Change(TargetSnapshot previous, TargetSnapshot current, Optional<StateTransition> transition) {
    }

    public static Change apply(TargetSnapshot prev, PollResult result, Instant now, Duration stallAfter) {
        if (result instanceof PollResult.Success success) {
            return success(prev, success, now, stallAfter);
        }
        PollResult.Failure failure = (PollResult.Failure) result;
        TargetSnapshot next = new TargetSnapshot(prev.target(), prev.polls() + 1, Optional.of(now),
                Optional.of(failure.outcome()), Optional.of(new PollError(failure.outcome(), failure.message(), now)),
                prev.lastSuccessAt(), prev.status(), prev.raw(), prev.stateSince(), prev.history(),
                prev.recordsPerSecond(), prev.etaSeconds(), prev.stalled(),
                failure.rateLimitRemaining().isPresent() ? failure.rateLimitRemaining() : prev.rateLimitRemaining(),
                failure.notBefore(), prev.consecutiveFailures() + 1, prev.heartbeatSince());
        return new Change(prev, next, Optional.empty());
    }

    private static Change success(TargetSnapshot prev, PollResult.Success success, Instant now, Duration stallAfter) {
        ImportStatus status = success.status();
        ImportState state = status.state();
        Optional<StateTransition> transition = prev.status()
                .map(ImportStatus::state)
                .filter(previous -> previous != state)
                .map(previous -> new StateTransition(previous, state, now));
        Optional<Instant> stateSince = prev.status().isPresent() && transition.isEmpty()
                ? prev.stateSince()
                : Optional.of(now);

        // Records are processed only while importing: the rate's window starts there (time spent
        // new or ready would drag it down) and the rate is 0 in every other state.
        ProgressHistory history = status.operation()
                .filter(op -> state == ImportState.IMPORTING)
                .map(op -> prev.history().observe(op.id(), op.counts().processed(), now))
                .orElse(ProgressHistory.empty());
        OptionalDouble rate = state == ImportState.IMPORTING
                ? history.ratePerSecond(now)
                : status.operation().isPresent() ? OptionalDouble.of(0) : OptionalDouble.empty();
        OptionalDouble eta = eta(state, status.counts(), rate);
        Optional<Instant> heartbeatSince = heartbeatSince(prev, status.operation(), now);
        boolean stalled = stalled(state, heartbeatSince, now, stallAfter);

        TargetSnapshot next = new TargetSnapshot(prev.target(), prev.polls() + 1, Optional.of(now),
                Optional.of(Outcome.SUCCESS), prev.lastError(), Optional.of(now), Optional.of(status),
                Optional.of(RawStatus.of(success.rawBody(), now)), stateSince, history, rate, eta, stalled,
                success.rateLimitRemaining(), success.notBefore(now), 0, heartbeatSince);
        return new Change(prev, next, transition);
    }

    /** Seconds to finish at the current rate, while importing with a known total and a positive rate. */
    static OptionalDouble eta(ImportState state, ImportCounts counts, OptionalDouble rate) {
        if (state != ImportState.IMPORTING || counts.total() <= 0 || rate.isEmpty() || rate.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        long remaining = counts.total() - counts.processed();
        if (remaining <= 0) {
            return OptionalDouble.empty(); // finishing: counts done, the importer still closing up
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
     */
    static boolean stalled(ImportState state, Optional<Instant> heartbeatSince, Instant now, Duration stallAfter) {
        if (!ImportState.ACTIVE.contains(state)) {
            return false;
        }
        return heartbeatSince.map(since -> Duration.between(since, now).compareTo(stallAfter) >= 0).orElse(false);
    }
}
