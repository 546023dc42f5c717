package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.PollResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The agent's memory: one {@link TargetSnapshot} per target, each swapped atomically. Pollers
 * write (one poll at a time per target), every reader (metrics, HTTP, alerts) reads snapshots
 * and never waits. Listeners are told of each change after the swap, on the poller's thread.
 */
public final class StatusStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StatusStore.class);
    private volatile Map<String, AtomicReference<TargetSnapshot>> targets;
    private final Clock clock;
    private final Duration stallAfter;
    private final List<Consumer<SnapshotTransition.Change>> listeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong updates = new java.util.concurrent.atomic.AtomicLong();

    public StatusStore(Collection<String> targetNames, Clock clock, Duration stallAfter) {
        this.clock = clock;
        this.stallAfter = stallAfter;
        this.targets = fresh(targetNames, Map.of());
    }

    private static Map<String, AtomicReference<TargetSnapshot>> fresh(Collection<String> names,
                                                                       Map<String, AtomicReference<TargetSnapshot>> keep) {
        Map<String, AtomicReference<TargetSnapshot>> m = new LinkedHashMap<>();
        for (String name : names) {
            m.put(name, keep.getOrDefault(name, new AtomicReference<>(TargetSnapshot.initial(name))));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    public void addListener(Consumer<SnapshotTransition.Change> listener) {
        listeners.add(listener);
    }

    /**
     * Applies one poll's result; returns what changed, or nothing for a target no longer known
     * (a reload removed it while its last poll was in flight: that result is dropped).
     */
    public Optional<SnapshotTransition.Change> update(String target, PollResult result) {
        AtomicReference<TargetSnapshot> ref = targets.get(target);
        if (ref == null) {
            return Optional.empty();
        }
        SnapshotTransition.Change change;
        // Polls of one target never overlap, so this loop runs once; it keeps the swap honest anyway.
        while (true) {
            TargetSnapshot prev = ref.get();
            change = SnapshotTransition.apply(prev, result, clock.instant(), stallAfter);
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
