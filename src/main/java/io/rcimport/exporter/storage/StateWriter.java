package io.rcimport.exporter.storage;

import io.rcimport.exporter.config.Durations;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link StateFile} up to date without ever blocking or failing its callers. Poll threads
 * call {@link #changed()} (a flag and, at most once per write, a schedule); the write itself runs
 * on the timer thread: it asks the {@code Supplier} for the whole state and writes it. Writes are
 * at least {@code minInterval} apart (2 s by default): a change is written {@code minInterval}
 * after the previous write started, or at once if that is past, so a burst of changes (a poll
 * round over many targets) becomes one write and a change waits at most {@code minInterval}.
 *
 * <p>A failed write (disk full, permission lost, directory gone) is counted as
 * {@value #FAILED}, logged at WARN once per kind of failure ({@link StateFile#describe}) until a
 * write succeeds again (then one INFO line, and a later failure is logged afresh), and retried
 * {@code minInterval} later even if nothing changed; a failing {@code Supplier} is handled alike.
 * Nothing is thrown to {@code changed()}, {@link #flush()} or {@link #close()}.
 *
 * <p>The supplier is called on the writer's thread (or the thread calling {@link #flush()}),
 * never twice at once; it must read the agent's state safely from there.
 */
public final class StateWriter implements AutoCloseable {
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(2);
    /** Outcomes of {@code rocketchat_import_storage_writes_total{outcome}}. */
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";

    private static final Logger LOG = LoggerFactory.getLogger("storage");

    /** Counts writes as {@code rocketchat_import_storage_writes_total{outcome}}. */
    @FunctionalInterface
    public interface WriteCounter {
        void count(String outcome);
    }

    private final StateFile file;
    private final Supplier<SavedState> state;
    private final WriteCounter counter;
    private final ScheduledExecutorService timer;
    private final boolean ownsTimer;
    private final Clock clock;
    private final Duration minInterval;

    private final Object lock = new Object();
    /** Guarded by {@code lock}. */
    private boolean dirty;
    private ScheduledFuture<?> scheduled;
    private Instant lastWrite = Instant.MIN;
    private boolean closed;
    /** Kinds of failure logged since the last good write. Guarded by {@code writing}. */
    private final Set<String> failuresLogged = new HashSet<>();
    /** Held for a whole write: one at a time, in order. */
    private final Object writing = new Object();

    /** On a thread of its own, {@code state-writer}, at most every {@link #DEFAULT_MIN_INTERVAL}. */
    public StateWriter(StateFile file, Supplier<SavedState> state, WriteCounter counter, Clock clock) {
        this(file, state, counter, Executors.newSingleThreadScheduledExecutor(StateWriter::thread), true, clock,
                DEFAULT_MIN_INTERVAL);
    }

    /** On {@code timer}, which stays the caller's to shut down. */
    public StateWriter(StateFile file, Supplier<SavedState> state, WriteCounter counter, ScheduledExecutorService timer,
                       Clock clock, Duration minInterval) {
        this(file, state, counter, timer, false, clock, minInterval);
    }

    private StateWriter(StateFile file, Supplier<SavedState> state, WriteCounter counter, ScheduledExecutorService timer,
                        boolean ownsTimer, Clock clock, Duration minInterval) {
        this.file = Objects.requireNonNull(file, "file");
        this.state = Objects.requireNonNull(state, "state");
        this.counter = Objects.requireNonNull(counter, "counter");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.ownsTimer = ownsTimer;
        this.clock = Objects.requireNonNull(clock, "clock");
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("minInterval must not be negative: " + minInterval);
        }
        this.minInterval = minInterval;
    }

    private static Thread thread(Runnable r) {
        Thread t = new Thread(r, "state-writer");
        t.setDaemon(true);
        return t;
    }

    /** Something the state holds has changed: it is written soon. Cheap; never blocks on I/O. */
    public void changed() {
        synchronized (lock) {
            dirty = true;
            scheduleLocked();
        }
    }

    /**
     * Writes the current state now, on the calling thread (at a clean shutdown), after any write
     * under way. Never throws.
     *
     * @return whether the file now holds it
     */
    public boolean flush() {
        synchronized (lock) {
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
            dirty = false;
            lastWrite = clock.instant();
        }
        return write();
    }

    /** Writes what changed since the last write, if anything, and stops; later changes are ignored. */
    @Override
    public void close() {
        boolean pending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending = dirty;
        }
        if (pending) {
            flush();
        }
        synchronized (lock) {
            closed = true;
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
        }
        if (ownsTimer) {
            timer.shutdown();
        }
    }

    private void scheduleLocked() {
        if (closed || scheduled != null || !dirty) {
            return;
        }
        Instant due = lastWrite.equals(Instant.MIN) ? Instant.MIN : lastWrite.plus(minInterval);
        long delayNanos = due.equals(Instant.MIN) ? 0 : Math.max(0, Duration.between(clock.instant(), due).toNanos());
        try {
            scheduled = timer.schedule(this::scheduledWrite, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the timer is shut down: the agent is stopping, and flush() writes what is left
        }
    }

    private void scheduledWrite() {
        synchronized (lock) {
            scheduled = null;
            if (closed || !dirty) {
                return;
            }
            dirty = false;
            lastWrite = clock.instant();
        }
        write();
    }

    /** Call with {@code dirty} just cleared and {@code lastWrite} set, outside {@code lock}. */
    private boolean write() {
        synchronized (writing) {
            try {
                file.write(state.get());
            } catch (IOException | RuntimeException e) {
                failed(e);
                return false;
            }
            counter.count(SUCCESS);
            if (!failuresLogged.isEmpty()) {
                failuresLogged.clear();
                LOG.info("storage: the state file {} is written again", file.path());
            }
            return true;
        }
    }

    private void failed(Exception e) {
        counter.count(FAILED);
        String kind = e instanceof IOException io ? StateFile.describe(io) : e.toString();
        if (failuresLogged.add(kind)) {
            LOG.warn("storage: cannot write the state file {} ({}); polling and serving go on, the write is retried"
                    + " every {} and this is logged once until it works", file.path(), kind, Durations.format(minInterval));
        }
        synchronized (lock) {
            dirty = true; // retried even if nothing else changes
            scheduleLocked();
        }
    }
}
