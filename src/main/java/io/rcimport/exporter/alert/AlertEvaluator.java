package io.rcimport.exporter.alert;

import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.status.SnapshotTransition;
import io.rcimport.exporter.status.TargetSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs after every poll: evaluates {@link AlertConditions} for the target, compares with what
 * was firing, logs and hands starts, ends and state changes to the sinks.
 */
public final class AlertEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger("alert");

    private final Clock clock;
    private final Duration staleAfter;
    private final List<AlertSink> sinks;
    /** Firing alerts by key, across all targets. */
    private final Map<String, Alert> firing = new ConcurrentHashMap<>();
    /** When each target's first poll result arrived: "no good poll for stale_after" counts from there. */
    private final Map<String, Instant> watchedSince = new ConcurrentHashMap<>();

    public AlertEvaluator(Clock clock, Duration staleAfter, List<AlertSink> sinks) {
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.sinks = List.copyOf(sinks);
    }

    public void onChange(SnapshotTransition.Change change) {
        TargetSnapshot s = change.current();
        Instant now = clock.instant();
        change.transition().ifPresent(t -> publish(event(ImportEvent.Kind.STATE_CHANGE, s, t.from().label(), t.to().label(), now,
                Optional.empty()).afterRestart(t.afterRestart())));
        synchronized (firing) {
            evaluate(s, now);
        }
    }

    /**
     * Evaluates every target again without waiting for a poll: a target whose next poll is far
     * off (a rate-limit reset) or never comes (a wedged poll) still goes down on time. The
     * snapshots are read under the same lock as a poll's evaluation, so an older view never
     * overwrites a newer one.
     */
    public void evaluateAll(Supplier<? extends Collection<TargetSnapshot>> snapshots) {
        Instant now = clock.instant();
        synchronized (firing) {
            for (TargetSnapshot s : snapshots.get()) {
                if (watchedSince.containsKey(s.target())) {
                    evaluate(s, now);
                }
            }
        }
    }

    /** Called with the lock held. */
    private void evaluate(TargetSnapshot s, Instant now) {
        Map<String, Alert> nowFiring = new LinkedHashMap<>();
        Instant since = watchedSince.computeIfAbsent(s.target(), t -> now);
        for (Alert a : AlertConditions.evaluate(s, now, staleAfter, since)) {
            nowFiring.put(a.key(), a);
        }
        List<Alert> resolved = new ArrayList<>();
        for (Alert old : List.copyOf(firing.values())) {
            if (old.target().equals(s.target()) && !nowFiring.containsKey(old.key())) {
                firing.remove(old.key());
                resolved.add(old);
            }
        }
        for (Alert a : nowFiring.values()) {
            Alert previous = firing.get(a.key());
            Alert kept = previous == null ? a : a.withStartsAt(previous.startsAt());
            firing.put(a.key(), kept);
            if (previous == null) {
                LOG.warn("target={} event=alert_firing alertname={} severity={} summary=\"{}\"",
                        a.target(), a.name(), a.severity().label(), a.summary());
                publish(event(ImportEvent.Kind.ALERT_FIRING, s, s.state().label(), s.state().label(), now, Optional.of(kept)));
            } else if (previous.severity() != a.severity()) {
                // Same alert, new severity (e.g. a warning TargetDown becomes critical on a 401):
                // humans on webhooks hear it too, as Alertmanager does through the new labelset.
                LOG.warn("target={} event=alert_severity_changed alertname={} from={} to={}",
                        a.target(), a.name(), previous.severity().label(), a.severity().label());
                publish(event(ImportEvent.Kind.ALERT_FIRING, s, s.state().label(), s.state().label(), now, Optional.of(kept)));
            }
        }
        // Under the lock: another target's evaluation must not deliver an older view after this one.
        deliver(List.copyOf(firing.values()), resolved);
        for (Alert r : resolved) {
            LOG.info("target={} event=alert_resolved alertname={} severity={} firing_since={}",
                    r.target(), r.name(), r.severity().label(), r.startsAt());
            publish(event(ImportEvent.Kind.ALERT_RESOLVED, s, s.state().label(), s.state().label(), now, Optional.of(r)));
        }
    }

    /**
     * Before the first poll: the alerts that were firing when the agent stopped, with their
     * {@code startsAt}. The first evaluation of each target then keeps those that still hold
     * (same {@code startsAt}, no second "firing" event) and resolves those whose condition
     * ended while the agent was down, to every sink.
     */
    public void restore(Collection<Alert> kept) {
        synchronized (firing) {
            for (Alert a : kept) {
                firing.putIfAbsent(a.key(), a);
            }
        }
    }

    /** Forget a removed target: its alerts resolve. */
    public void removeTarget(String target) {
        watchedSince.remove(target);
        List<Alert> resolved = new ArrayList<>();
        synchronized (firing) {
            firing.values().removeIf(a -> {
                if (a.target().equals(target)) {
                    resolved.add(a);
                    return true;
                }
                return false;
            });
            deliver(List.copyOf(firing.values()), resolved);
        }
    }

    /** Sinks never block (see {@link AlertSink}), so this may run under the lock; one failing sink skips none. */
    private void deliver(Collection<Alert> all, List<Alert> resolved) {
        for (AlertSink sink : sinks) {
            try {
                sink.onAlerts(all, resolved);
            } catch (RuntimeException ex) {
                LOG.error("event=sink_failed msg=\"{}\"", ex.toString());
            }
        }
    }

    public Collection<Alert> firing() {
        return List.copyOf(firing.values());
    }

    private void publish(ImportEvent e) {
        for (AlertSink sink : sinks) {
            try {
                sink.onEvent(e);
            } catch (RuntimeException ex) {
                LOG.error("event=sink_failed msg=\"{}\"", ex.toString());
            }
        }
    }

    private static ImportEvent event(ImportEvent.Kind kind, TargetSnapshot s, String from, String to, Instant at, Optional<Alert> alert) {
        Optional<ImportOperation> op = s.operation();
        return new ImportEvent(kind, s.target(), from, to,
                op.map(ImportOperation::status).orElse(""), op.map(ImportOperation::valid).orElse(true),
                op.map(ImportOperation::id), s.counts(), s.progressRatio(), at, alert);
    }
}
