package io.rcimport.exporter.poll;

import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.status.SnapshotTransition;
import io.rcimport.exporter.status.TargetSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what a human needs and no more: one line when a target's poll outcome changes (first
 * failure, recovery, a different failure), one per import state change, and while a fault
 * persists a reminder every {@link #REMINDER}, never one line per poll.
 *
 * <p>While the circuit breaker is open, polls end as {@code circuit_open}, and every
 * {@code open_for} one probe reaches the server and ends with the real cause again. That
 * alternation is one persistent fault, not a change: within one run of failures (from the first
 * failed poll to the next good one) the breaker opening is logged once, and the cause again only
 * when it differs from the cause already logged.
 */
public final class PollLog {
    private static final Logger LOG = LoggerFactory.getLogger("poll");
    static final Duration REMINDER = Duration.ofMinutes(10);

    private final Clock clock;
    /** Per failing target: what its current run of failures has logged so far. */
    private final Map<String, Failing> failing = new ConcurrentHashMap<>();

    /**
     * @param cause        the last failure other than {@code circuit_open} that was logged, or null
     * @param breakerOpen  whether {@code circuit_open} was logged in this run
     * @param lastLine     when the last line about this run was written (for reminders)
     */
    private record Failing(Outcome cause, boolean breakerOpen, Instant lastLine) {
    }

    public PollLog(Clock clock) {
        this.clock = clock;
    }

    public void onChange(SnapshotTransition.Change change) {
        TargetSnapshot prev = change.previous();
        TargetSnapshot cur = change.current();
        Outcome outcome = cur.lastOutcome().orElseThrow();
        Outcome before = prev.lastOutcome().orElse(null);
        change.transition().ifPresent(t -> LOG.info("target={} event=state_change from={} to={} status={} valid={}{}",
                cur.target(), t.from().label(), t.to().label(),
                cur.operation().map(op -> op.status()).orElse(""),
                cur.operation().map(op -> op.valid()).orElse(true),
                t.afterRestart() ? " after_restart=true" : ""));
        if (outcome == Outcome.SUCCESS) {
            if (before != null && before != Outcome.SUCCESS) {
                LOG.info("target={} event=recovered outcome=success after_failures={}", cur.target(), prev.consecutiveFailures());
            } else if (before == null) {
                LOG.info("target={} event=first_poll outcome=success state={}", cur.target(), cur.state().label());
            }
            failing.remove(cur.target());
            return;
        }
        String message = cur.lastError().map(e -> e.message()).orElse("");
        Instant now = clock.instant();
        // A run of failures starts with the first failed poll after a good one (or the start).
        Failing run = before == Outcome.SUCCESS || before == null ? null : failing.get(cur.target());
        boolean news = outcome == Outcome.CIRCUIT_OPEN
                ? run == null || !run.breakerOpen()
                : run == null || run.cause() != outcome;
        if (news) {
            LOG.warn("target={} event=poll_failed outcome={} msg=\"{}\"", cur.target(), outcome.label(), message);
            failing.put(cur.target(), outcome == Outcome.CIRCUIT_OPEN
                    ? new Failing(run == null ? null : run.cause(), true, now)
                    : new Failing(outcome, run != null && run.breakerOpen(), now));
        } else if (Duration.between(run.lastLine(), now).compareTo(REMINDER) >= 0) {
            LOG.warn("target={} event=still_failing outcome={} consecutive_failures={} msg=\"{}\"",
                    cur.target(), outcome.label(), cur.consecutiveFailures(), message);
            failing.put(cur.target(), new Failing(run.cause(), run.breakerOpen(), now));
        }
    }
}
