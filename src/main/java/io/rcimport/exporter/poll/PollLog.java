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
 */
public final class PollLog {
    private static final Logger LOG = LoggerFactory.getLogger("poll");
    static final Duration REMINDER = Duration.ofMinutes(10);

    private final Clock clock;
    private final Map<String, Instant> lastReminder = new ConcurrentHashMap<>();

    public PollLog(Clock clock) {
        this.clock = clock;
    }

    public void onChange(SnapshotTransition.Change change) {
        TargetSnapshot prev = change.previous();
        TargetSnapshot cur = change.current();
        Outcome outcome = cur.lastOutcome().orElseThrow();
        Outcome before = prev.lastOutcome().orElse(null);
        change.transition().ifPresent(t -> LOG.info("target={} event=state_change from={} to={} status={} valid={}",
                cur.target(), t.from().label(), t.to().label(),
                cur.operation().map(op -> op.status()).orElse(""),
                cur.operation().map(op -> op.valid()).orElse(true)));
        if (outcome == Outcome.SUCCESS) {
            if (before != null && before != Outcome.SUCCESS) {
                LOG.info("target={} event=recovered outcome=success after_failures={}", cur.target(), prev.consecutiveFailures());
            } else if (before == null) {
                LOG.info("target={} event=first_poll outcome=success state={}", cur.target(), cur.state().label());
            }
            lastReminder.remove(cur.target());
            return;
        }
        String message = cur.lastError().map(e -> e.message()).orElse("");
        Instant now = clock.instant();
        if (outcome != before) {
            LOG.warn("target={} event=poll_failed outcome={} msg=\"{}\"", cur.target(), outcome.label(), message);
            lastReminder.put(cur.target(), now);
        } else {
            Instant last = lastReminder.getOrDefault(cur.target(), now);
            if (Duration.between(last, now).compareTo(REMINDER) >= 0) {
                LOG.warn("target={} event=still_failing outcome={} consecutive_failures={} msg=\"{}\"",
                        cur.target(), outcome.label(), cur.consecutiveFailures(), message);
                lastReminder.put(cur.target(), now);
            }
        }
    }
}
