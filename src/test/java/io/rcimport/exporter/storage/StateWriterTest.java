package io.rcimport.exporter.storage;

import static io.rcimport.exporter.storage.StateFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.testing.Eventually;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateWriterTest {
    private static final Duration INTERVAL = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    private final TestClock clock = TestClock.at(T0);
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final List<String> outcomes = new ArrayList<>();
    private final AtomicInteger supplied = new AtomicInteger();
    private final AtomicReference<SavedState> current = new AtomicReference<>(SavedState.empty(T0));

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /**
     * Records one-shot tasks instead of running them; {@link #advance} moves the clock and runs, on
     * the test's thread, those that are due and not cancelled, in order. The futures it returns
     * are real ones that never fire, so that cancelling them works.
     */
    static final class ManualScheduler extends ScheduledThreadPoolExecutor {
        private record Due(Instant at, Runnable task, ScheduledFuture<?> future) {
        }

        private final TestClock clock;
        private final List<Due> tasks = new ArrayList<>();

        ManualScheduler(TestClock clock) {
            super(1);
            this.clock = clock;
        }

        @Override
        public synchronized ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            ScheduledFuture<?> future = super.schedule(() -> { }, 365, TimeUnit.DAYS);
            tasks.add(new Due(clock.instant().plusNanos(unit.toNanos(delay)), task, future));
            return future;
        }

        synchronized int waiting() {
            return (int) tasks.stream().filter(t -> !t.future().isCancelled()).count();
        }

        void advance(Duration by) {
            Instant end = clock.instant().plus(by);
            while (true) {
                Due next;
                synchronized (this) {
                    tasks.removeIf(t -> t.future().isCancelled());
                    next = tasks.stream().filter(t -> !t.at().isAfter(end)).min((a, b) -> a.at().compareTo(b.at())).orElse(null);
                    if (next == null) {
                        break;
                    }
                    tasks.remove(next);
                }
                if (next.at().isAfter(clock.instant())) {
                    clock.set(next.at());
                }
                next.task().run();
            }
            clock.set(end);
        }
    }

    private StateWriter writer(StateFile file) {
        Supplier<SavedState> state = () -> {
            supplied.incrementAndGet();
            return current.get();
        };
        return new StateWriter(file, state, outcomes::add, timer, clock, INTERVAL);
    }

    /** A writer that has written the empty state and has the full one waiting. */
    private StateWriter writtenOnceThenChanged() throws Exception {
        StateWriter writer = writer(StateFile.open(dir, clock));
        writer.changed();
        timer.advance(Duration.ZERO);
        current.set(StateFixtures.full());
        writer.changed();
        return writer;
    }

    private SavedState onDisk() throws Exception {
        return StateFile.open(dir, clock).load().kept().orElseThrow();
    }

    @Test
    void many_changes_become_few_writes_at_least_the_interval_apart() throws Exception {
        StateWriter writer = writer(StateFile.open(dir, clock));

        for (int i = 0; i < 100; i++) {
            writer.changed();
        }
        assertEquals(1, timer.waiting());
        timer.advance(Duration.ZERO);
        assertEquals(List.of("success"), outcomes);

        for (int i = 0; i < 500; i++) {
            current.set(StateFixtures.typical(i % 3));
            writer.changed();
            timer.advance(Duration.ofMillis(3)); // 1.5 s of changes, 3 ms apart
        }
        assertEquals(1, outcomes.size(), "nothing before the interval is over");
        timer.advance(Duration.ofMillis(500));
        assertEquals(List.of("success", "success"), outcomes);
        assertEquals(2, supplied.get());
        assertEquals(current.get(), onDisk());

        timer.advance(Duration.ofMinutes(1));
        assertEquals(2, outcomes.size(), "no change, no write");
    }

    @Test
    void a_change_after_a_quiet_spell_is_written_at_once() throws Exception {
        StateWriter writer = writer(StateFile.open(dir, clock));
        writer.changed();
        timer.advance(Duration.ZERO);
        timer.advance(Duration.ofSeconds(30));

        current.set(StateFixtures.full());
        writer.changed();
        timer.advance(Duration.ZERO);

        assertEquals(2, outcomes.size());
        assertEquals(StateFixtures.full(), onDisk());
    }

    @Test
    void flush_writes_now_and_replaces_the_pending_write() throws Exception {
        StateWriter writer = writtenOnceThenChanged();

        assertTrue(writer.flush());

        assertEquals(StateFixtures.full(), onDisk());
        assertEquals(0, timer.waiting());
        timer.advance(Duration.ofSeconds(10));
        assertEquals(List.of("success", "success"), outcomes);
    }

    @Test
    void close_writes_the_last_change_and_then_ignores_changes() throws Exception {
        StateWriter writer = writtenOnceThenChanged();

        writer.close();
        writer.changed();
        writer.close();

        assertEquals(StateFixtures.full(), onDisk());
        assertEquals(0, timer.waiting());
        assertEquals(List.of("success", "success"), outcomes);
        assertFalse(timer.isShutdown(), "a passed-in timer stays the caller's");
    }

    @Test
    void a_failing_write_is_counted_logged_once_retried_and_works_again_once_the_cause_is_gone() throws Exception {
        StateWriter writer = writer(StateFile.open(dir, clock));
        Path moved = dir.resolveSibling(dir.getFileName() + "-moved");
        Files.move(dir, moved);
        Files.writeString(dir, "a file where the directory was");
        List<String> lines;
        try (LogCapture logs = LogCapture.start(false)) {
            int mark = logs.mark();
            assertDoesNotThrow(writer::changed);
            timer.advance(Duration.ZERO);
            timer.advance(Duration.ofSeconds(7)); // retried at 2, 4, 6 s without a new change
            for (int i = 0; i < 10; i++) {
                writer.changed();
            }
            assertFalse(writer.flush());
            lines = logs.linesSince(mark).stream().filter(l -> l.contains(" storage - ")).toList();

            Files.delete(dir);
            Files.move(moved, dir);
            current.set(StateFixtures.full());
            timer.advance(Duration.ofSeconds(2));
            lines = new ArrayList<>(lines);
            lines.addAll(logs.linesSince(mark).stream().filter(l -> l.contains("written again")).toList());
        }

        assertEquals(List.of("failed", "failed", "failed", "failed", "failed", "success"), outcomes);
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("WARN") && lines.get(0).contains("cannot write the state file " + dir.resolve("state.json"))
                && lines.get(0).contains("Not a directory"), lines.get(0));
        assertTrue(lines.get(1).contains("INFO"), lines.get(1));
        assertEquals(StateFixtures.full(), onDisk());
        assertEquals(List.of("state.json"), List.of(dir.toFile().list()));
    }

    @Test
    void a_failing_supplier_is_a_failed_write_too() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        StateWriter writer = new StateWriter(StateFile.open(dir, clock), () -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("not ready");
            }
            return SavedState.empty(T0);
        }, outcomes::add, timer, clock, INTERVAL);

        writer.changed();
        timer.advance(Duration.ofSeconds(5));

        assertEquals(List.of("failed", "failed", "success"), outcomes);
        assertEquals(SavedState.empty(T0), onDisk());
    }

    @Test
    void on_its_own_thread_a_change_reaches_the_disk() throws Exception {
        StateFile file = StateFile.open(dir, java.time.Clock.systemUTC());
        current.set(StateFixtures.full());
        List<String> counted = java.util.Collections.synchronizedList(new ArrayList<>());
        try (StateWriter writer = new StateWriter(file, current::get, counted::add, java.time.Clock.systemUTC())) {
            writer.changed();
            Eventually.await("the state file", () -> counted.contains("success"));
        }
        assertEquals(StateFixtures.full(), onDisk());
    }
}
