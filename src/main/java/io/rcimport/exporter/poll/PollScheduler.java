package io.rcimport.exporter.poll;

import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One schedule per target: a jittered first poll, then a fixed delay after each poll ends, so
 * polls of one target never overlap, and never before a rate-limit reset. Polls are
 * asynchronous: a hanging target holds no thread and delays no other target.
 */
public final class PollScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PollScheduler.class);
    /** The first polls spread over this much time at most (or the interval, if shorter)... */
    static final Duration MAX_START_JITTER = Duration.ofSeconds(5);
    /**
     * ...and over this much per target started, so a few targets are polled (and the agent is
     * ready) at once, while a thousand still start spread out (100 targets over 1 s, 500 or more
     * over {@link #MAX_START_JITTER}).
     */
    static final Duration START_SPACING = Duration.ofMillis(10);

    private final ScheduledExecutorService timer;
    private final StatusStore store;
    private final Clock clock;
    private final Duration interval;
    private final Duration pollDeadline;
    private final RandomGenerator random;
    private final PollDurationObserver durations;
    private final Map<String, Schedule> schedules = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** Told the wall-clock length of every poll (retries included). */
    @FunctionalInterface
    public interface PollDurationObserver {
        void observe(String target, Duration duration);
    }

    private static final class Schedule {
        final TargetPoll poller;
        volatile ScheduledFuture<?> next;
        volatile CompletableFuture<PollReport> inFlight = CompletableFuture.completedFuture(null);
        volatile boolean cancelled;

        Schedule(TargetPoll poller) {
            this.poller = poller;
        }
    }

    public PollScheduler(ScheduledExecutorService timer, StatusStore store, Clock clock, Duration interval,
                         Duration pollDeadline, RandomGenerator random, PollDurationObserver durations) {
        this.timer = timer;
        this.store = store;
        this.clock = clock;
        this.interval = interval;
        this.pollDeadline = pollDeadline;
        this.random = random;
        this.durations = durations;
    }

    /** Starts polling these targets, each after a random delay. */
    public void start(List<? extends TargetPoll> pollers) {
        long jitterBound = startJitterBoundMillis(interval, pollers.size());
        for (TargetPoll poller : pollers) {
            Schedule s = new Schedule(poller);
            Schedule replaced = schedules.put(poller.target(), s);
            if (replaced != null) {
                cancel(replaced); // never two schedules for one target
            }
            scheduleAt(s, random.nextLong(jitterBound));
        }
    }

    /** The first poll of each of {@code targets} targets starts at a random delay below this. */
    static long startJitterBoundMillis(Duration interval, int targets) {
        long spread = Math.min(Math.min(interval.toMillis(), MAX_START_JITTER.toMillis()),
                START_SPACING.toMillis() * Math.max(1, targets));
        return Math.max(1, spread);
    }

    /**
     * Stops polling one target (config reload removed it); an in-flight poll finishes unobserved.
     * Once this returns, nothing more is recorded for the target (no duration, no store update).
     */
    public void remove(String target) {
        Schedule s = schedules.remove(target);
        if (s != null) {
            cancel(s);
        }
    }

    private static void cancel(Schedule s) {
        // Under the schedule's lock: a poll being recorded right now finishes first, and none
        // is recorded afterwards, so the caller may drop the target's series once this returns.
        synchronized (s) {
            s.cancelled = true;
        }
        ScheduledFuture<?> f = s.next;
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Polls every target once, now, ignoring the schedule (for {@code --once}). */
    public static CompletableFuture<Void> pollOnce(List<? extends TargetPoll> pollers, StatusStore store) {
        CompletableFuture<?>[] all = pollers.stream()
                .map(p -> p.report().thenAccept(r -> store.update(p.target(), r)))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all);
    }

    private void scheduleAt(Schedule s, long delayMillis) {
        if (stopping || s.cancelled) {
            return;
        }
        s.next = timer.schedule(() -> run(s), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    private void run(Schedule s) {
        if (stopping || s.cancelled) {
            return;
        }
        Instant started = clock.instant();
        CompletableFuture<PollReport> poll;
        try {
            poll = s.poller.report()
                    // A last guard: whatever happens below, a poll ends and the schedule goes on.
                    .completeOnTimeout(PollReport.of(PollResult.Failure.of(Outcome.TIMEOUT,
                                    "poll did not finish within " + pollDeadline.toMillis() + " ms")),
                            pollDeadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            poll = CompletableFuture.completedFuture(PollReport.of(
                    PollResult.Failure.of(Outcome.CONNECTION_ERROR, "poll failed: " + e.getClass().getSimpleName())));
        }
        s.inFlight = poll;
        poll.whenComplete((result, error) -> {
            try {
                synchronized (s) {
                    if (!s.cancelled) {
                        PollReport r = result != null ? result
                                : PollReport.of(PollResult.Failure.of(Outcome.CONNECTION_ERROR, "poll failed: " + error.getClass().getSimpleName()));
                        Duration took = Duration.between(started, clock.instant());
                        // Dropped if a reload removed the target meanwhile: no series comes back to life.
                        store.update(s.poller.target(), r).ifPresent(change -> durations.observe(s.poller.target(), took));
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("target={} msg=\"recording a poll failed\"", s.poller.target(), e);
            } finally {
                scheduleAt(s, nextDelayMillis(s.poller.target()));
            }
        });
    }

    private long nextDelayMillis(String target) {
        long delay = interval.toMillis();
        Instant now = clock.instant();
        TargetSnapshot snapshot = store.get(target).orElse(null);
        if (snapshot != null && snapshot.notBefore().isPresent()) {
            long untilReset = Duration.between(now, snapshot.notBefore().get()).toMillis();
            delay = Math.max(delay, untilReset);
        }
        return delay;
    }

    /** Stops scheduling, waits up to {@code grace} for polls in flight, then lets them go. */
    public void stop(Duration grace) {
        stopping = true;
        for (Schedule s : schedules.values()) {
            ScheduledFuture<?> f = s.next;
            if (f != null) {
                f.cancel(false);
            }
        }
        CompletableFuture<?>[] inFlight = schedules.values().stream().map(s -> s.inFlight).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(inFlight).get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.info("msg=\"stopping with polls still in flight\" count={}",
                    Arrays.stream(inFlight).filter(f -> !f.isDone()).count());
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }
}
