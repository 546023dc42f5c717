package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's memory: one {@link TargetSnapshot} per target, each swapped atomically. Pollers
 * write (one poll at a time per target), every reader (metrics, HTTP, alerts) reads snapshots
 * and never waits. Listeners are told of each change after the swap, on the poller's thread.
 */
public final class StatusStore {
    private static final Logger LOG = LoggerFactory.getLogger(StatusStore.class);
    private volatile Map<String, AtomicReference<TargetSnapshot>> targets;
    private final Clock clock;
    private final HeartbeatLimits limits;
    private final List<Consumer<SnapshotTransition.Change>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong updates = new AtomicLong();

    public StatusStore(Collection<String> targetNames, Clock clock, HeartbeatLimits limits) {
        this.clock = clock;
        this.limits = limits;
        this.targets = fresh(targetNames, Map.of());
    }

    /** With the default {@code awaiting_operator_after}. */
    public StatusStore(Collection<String> targetNames, Clock clock, Duration stallAfter) {
        this(targetNames, clock, HeartbeatLimits.stallAfter(stallAfter));
    }

    private static Map<String, AtomicReference<TargetSnapshot>> fresh(Collection<String> names,
                                                                       Map<String, AtomicReference<TargetSnapshot>> keep) {
        Map<String, AtomicReference<TargetSnapshot>> m = new LinkedHashMap<>();
        for (String name : names) {
            m.put(name, keep.getOrDefault(name, new AtomicReference<>(TargetSnapshot.initial(name))));
        }
        return Collections.unmodifiableMap(m);
    }

    public void addListener(Consumer<SnapshotTransition.Change> listener) {
        listeners.add(listener);
    }

    /**
     * Applies one poll's result; returns what changed, or nothing for a target no longer known
     * (a reload removed it while its last poll was in flight: that result is dropped).
     */
    public Optional<SnapshotTransition.Change> update(String target, PollResult result) {
        return update(target, PollReport.of(result));
    }

    /** The same, with what else the poll learnt (server version, recent operations). */
    public Optional<SnapshotTransition.Change> update(String target, PollReport report) {
        AtomicReference<TargetSnapshot> ref = targets.get(target);
        if (ref == null) {
            return Optional.empty();
        }
        SnapshotTransition.Change change;
        // Polls of one target never overlap, so this loop runs once; it keeps the swap honest anyway.
        while (true) {
            TargetSnapshot prev = ref.get();
            change = SnapshotTransition.apply(prev, report, clock.instant(), limits);
            if (ref.compareAndSet(prev, change.current())) {
                break;
            }
        }
        updates.incrementAndGet();
        for (Consumer<SnapshotTransition.Change> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                // One failing listener (a log line, a metric) must not cost the others (alerts).
                LOG.error("target={} event=listener_failed msg=\"{}\"", target, e.toString());
            }
        }
        return Optional.of(change);
    }

    /**
     * Before the first poll: starts these targets from the snapshots kept across a restart.
     * Names this store does not know (removed from the configuration meanwhile) and targets
     * already polled are left alone.
     */
    public void restore(Collection<TargetSnapshot> kept) {
        for (TargetSnapshot s : kept) {
            AtomicReference<TargetSnapshot> ref = targets.get(s.target());
            if (ref != null && !ref.get().polled()) {
                ref.set(s);
            }
        }
        updates.incrementAndGet();
    }

    public Optional<TargetSnapshot> get(String target) {
        return Optional.ofNullable(targets.get(target)).map(AtomicReference::get);
    }

    /** Every target's snapshot, in configuration order. */
    public List<TargetSnapshot> all() {
        List<TargetSnapshot> out = new ArrayList<>(targets.size());
        for (AtomicReference<TargetSnapshot> ref : targets.values()) {
            out.add(ref.get());
        }
        return out;
    }

    public List<String> names() {
        return List.copyOf(targets.keySet());
    }

    /** True once every target has finished one poll, good or not. */
    public boolean allPolled() {
        return targets.values().stream().allMatch(r -> r.get().polled());
    }

    /** Keeps the state of targets still present, adds new ones, forgets removed ones (config reload). */
    public synchronized void retainTargets(Collection<String> names) {
        targets = fresh(names, targets);
        updates.incrementAndGet();
    }

    /** Counts every change of a snapshot or of the set of targets: a cheap cache key for readers. */
    public long updateCount() {
        return updates.get();
    }

    public Clock clock() {
        return clock;
    }
}
