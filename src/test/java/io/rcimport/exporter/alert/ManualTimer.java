package io.rcimport.exporter.alert;

import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timer on a {@link TestClock}: {@code schedule} only records the task; {@link #advance}
 * moves the clock and runs, on the caller's thread, every task that has come due, in order.
 * Nothing waits for real time. Only one-shot {@code schedule(Runnable, ...)} is supported
 * (what DeliveryQueue uses).
 */
final class ManualTimer extends AbstractExecutorService implements ScheduledExecutorService {
    private final TestClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private boolean shutdown;

    ManualTimer(TestClock clock) {
        this.clock = clock;
    }

    private final class Task implements ScheduledFuture<Object> {
        final Instant due;
        final Runnable run;
        volatile boolean cancelled;
        volatile boolean done;

        Task(Instant due, Runnable run) {
            this.due = due;
            this.run = run;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), due));
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            cancelled = true;
            synchronized (ManualTimer.this) {
                tasks.remove(this);
            }
            return !done;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    /** Delays of the tasks waiting, soonest first. */
    synchronized List<Duration> pending() {
        Instant now = clock.instant();
        return tasks.stream().map(t -> Duration.between(now, t.due)).sorted().toList();
    }

    /** Moves the clock by {@code by}, running each task as its time comes (tasks it schedules included). */
    void advance(Duration by) {
        Instant end = clock.instant().plus(by);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due.isAfter(end)).min(Comparator.comparing(t -> t.due)).orElse(null);
                if (next == null) {
                    break;
                }
                tasks.remove(next);
            }
            if (next.due.isAfter(clock.instant())) {
                clock.set(next.due);
            }
            next.done = true;
            next.run.run();
        }
        clock.set(end);
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        Task t = new Task(clock.instant().plusNanos(unit.toNanos(Math.max(0, delay))), command);
        tasks.add(t);
        return t;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
        tasks.clear();
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return List.of();
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MILLISECONDS);
    }
}
