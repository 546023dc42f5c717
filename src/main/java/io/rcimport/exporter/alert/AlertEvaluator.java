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
        change.transition().ifPresent(t -> publish(event(ImportEvent.Kind.STATE_CHANGE, s, t.from().label(), t.to().label(), now, Optional.empty())));

        Map<String, Alert> nowFiring = new LinkedHashMap<>();
        Instant since = watchedSince.computeIfAbsent(s.target(), t -> now);
        for (Alert a : AlertConditions.evaluate(s, now, staleAfter, since)) {
            nowFiring.put(a.key(), a);
        }
        List<Alert> resolved = new ArrayList<>();
        synchronized (firing) {
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
                }
            }
        }
        for (Alert r : resolved) {
            LOG.info("target={} event=alert_resolved alertname={} severity={} firing_since={}",
                    r.target(), r.name(), r.severity().label(), r.startsAt());
            publish(event(ImportEvent.Kind.ALERT_RESOLVED, s, s.state().label(), s.state().label(), now, Optional.of(r)));
        }
        Collection<Alert> all = List.copyOf(firing.values());
        for (AlertSink sink : sinks) {
            sink.onAlerts(all, resolved);
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
        }
        Collection<Alert> all = List.copyOf(firing.values());
        for (AlertSink sink : sinks) {
            sink.onAlerts(all, resolved);
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
