package io.rcimport.exporter;

import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.alert.AlertSink;
import io.rcimport.exporter.alert.WebhookSink;
import io.rcimport.exporter.config.ConfigException;
import io.rcimport.exporter.status.SnapshotTransition;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.storage.SavedState;
import io.rcimport.exporter.storage.SavedState.SavedPayload;
import io.rcimport.exporter.storage.SavedState.SavedQueue;
import io.rcimport.exporter.storage.SavedState.SavedTarget;
import io.rcimport.exporter.storage.StateFile;
import io.rcimport.exporter.storage.StateWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's memory on disk ({@code storage.path}): restores the kept targets, alerts and
 * webhook deliveries before the first poll, and keeps them written while the agent runs — after
 * a change of something kept (a new status body or progress sample, the firing alerts, a
 * webhook queue), at most every couple of seconds ({@link StateWriter}), and once more at a
 * clean stop.
 */
final class KeptState implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeptState.class);

    private final StateFile file;
    private final StatusStore store;
    private final Supplier<Alerting> alerting;
    private final Clock clock;
    private final StateWriter writer;

    /**
     * @param alerting read when restoring and writing, after the agent built it: the alerting is
     *                 told of the kept state's {@link #alertSink()} when it is built, so the two
     *                 cannot be built in one order
     */
    KeptState(StateFile file, StatusStore store, Supplier<Alerting> alerting, StateWriter.WriteCounter counter, Clock clock) {
        this.file = file;
        this.store = store;
        this.alerting = alerting;
        this.clock = clock;
        this.writer = new StateWriter(file, this::current, counter, clock);
    }

    /**
     * Before the first poll: the kept state back into the store, the evaluator and the webhook
     * queues; then every later change of what is kept is written. Targets no longer configured
     * are left out (and so dropped from the file at the next write).
     */
    void restoreAndKeep() throws ConfigException {
        StateFile.LoadResult loaded = file.load();
        loaded.kept().ifPresent(this::restore);
        store.addListener(this::onPoll);
        alerting.get().webhooks().forEach(w -> w.onChange(writer::changed));
        writer.changed(); // the file reflects this configuration's targets from the start
    }

    /** Told of every evaluation: the firing alerts are kept. */
    AlertSink alertSink() {
        return new AlertSink() {
            @Override
            public void onAlerts(Collection<Alert> firing, Collection<Alert> resolved) {
                if (!resolved.isEmpty() || firing.stream().anyMatch(a -> !keptAlertKeys.contains(a.key()))) {
                    keptAlertKeys = firing.stream().map(Alert::key).collect(Collectors.toUnmodifiableSet());
                    writer.changed();
                }
            }
        };
    }

    /** The keys of the firing alerts last handed to the writer. */
    private volatile Set<String> keptAlertKeys = Set.of();

    private void restore(SavedState kept) {
        Set<String> configured = Set.copyOf(store.names());
        List<TargetSnapshot> snapshots = new ArrayList<>();
        List<Alert> firing = new ArrayList<>();
        int dropped = 0;
        for (SavedTarget t : kept.targets()) {
            if (!configured.contains(t.name())) {
                dropped++;
                continue;
            }
            KeptTargets.Restored r = KeptTargets.restore(t);
            snapshots.add(r.snapshot());
            firing.addAll(r.alerts());
        }
        store.restore(snapshots);
        alerting.get().restore(firing);
        keptAlertKeys = firing.stream().map(Alert::key).collect(Collectors.toUnmodifiableSet());
        int deliveries = restoreDeliveries(kept.deliveries());
        LOG.info("event=state_restored file={} saved_at={} targets={} alerts={} deliveries={} dropped_targets={}",
                file.path(), kept.savedAt(), snapshots.size(), firing.size(), deliveries, dropped);
    }

    /** Kept posts go to the webhook of the same name and URL only; returns how many were queued again. */
    private int restoreDeliveries(List<SavedQueue> queues) {
        Map<String, WebhookSink> byKey = alerting.get().webhooks().stream()
                .collect(Collectors.toMap(w -> w.name() + "/" + fingerprint(w), Function.identity(), (a, b) -> a));
        int restored = 0;
        for (SavedQueue q : queues) {
            WebhookSink sink = byKey.get(q.sink() + "/" + q.endpoint());
            if (sink == null) {
                LOG.warn("sink={} event=kept_deliveries_dropped count={} msg=\"no webhook of that name and URL is configured any more\"",
                        q.sink(), q.payloads().size());
                continue;
            }
            sink.restore(q.payloads().stream().map(p -> new WebhookSink.Waiting(p.contentType(), p.body())).toList());
            restored += q.payloads().size();
        }
        return restored;
    }

    /** What is kept now: read on the writer's thread from the live, thread-safe components. */
    SavedState current() {
        Collection<Alert> firing = alerting.get().firing();
        List<SavedTarget> targets = store.all().stream().map(s -> KeptTargets.saved(s, firing)).toList();
        List<SavedQueue> queues = alerting.get().webhooks().stream()
                .map(w -> new SavedQueue(w.name(), fingerprint(w),
                        w.waiting().stream().map(p -> new SavedPayload(p.contentType(), p.body())).toList()))
                .filter(q -> !q.payloads().isEmpty())
                .toList();
        return new SavedState(SavedState.FORMAT, clock.instant(), targets, queues);
    }

    /** Only what is kept: a new body (state, counts, heartbeat) or progress sample, not every poll's time. */
    private void onPoll(SnapshotTransition.Change change) {
        TargetSnapshot before = change.previous();
        TargetSnapshot now = change.current();
        if (!Objects.equals(before.raw().map(r -> r.etag()), now.raw().map(r -> r.etag()))
                || !before.history().equals(now.history()) || before.restored() != now.restored()) {
            writer.changed();
        }
    }

    /** The webhook's URL as a short digest: it tells a changed URL apart without writing the URL (its path is a secret). */
    static String fingerprint(WebhookSink sink) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sink.webhook().url().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Something kept changed outside a poll (a reload removed targets). */
    void changed() {
        writer.changed();
    }

    /**
     * Writes the state as it is now, then stops (a clean shutdown: call before the sinks close).
     * Always written, not only when a change was signalled: a poll's listeners (this one among
     * them) may still be running when the agent stops, after the store already holds its result.
     */
    @Override
    public void close() {
        writer.flush();
        writer.close();
    }

    /**
     * After a start that failed (the port taken, a kept file that could not be set aside): stops,
     * writing only a change already signalled, so a file that was not read is never overwritten.
     */
    void closeAfterFailedStart() {
        writer.close();
    }
}
