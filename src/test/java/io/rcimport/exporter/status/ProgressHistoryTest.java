package io.rcimport.exporter.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The rate over a window. Rocket.Chat writes counts in jumps of 50, so the history is fed the
 * way a poller sees it: every 5 s, a jump of 50 every 10 s (5 records/s).
 */
class ProgressHistoryTest {
    private static final Instant T0 = Instant.parse("2026-05-02T10:00:00Z");
    private static final Duration POLL = Duration.ofSeconds(5);

    /** Count seen at {@code elapsed} for a steady 5/s import written in jumps of 50. */
    private static long jumpsOf50(Duration elapsed) {
        return 50 * (elapsed.toSeconds() / 10);
    }

    @Test
    void an_empty_history_has_no_rate() {
        assertEquals(OptionalDouble.empty(), ProgressHistory.empty().ratePerSecond(T0));
    }

    @Test
    void less_history_than_the_minimum_span_gives_no_rate_rather_than_a_guess() {
        ProgressHistory h = ProgressHistory.empty().observe("op", 0, T0).observe("op", 50, T0.plusSeconds(5));

        assertEquals(OptionalDouble.empty(), h.ratePerSecond(T0.plusSeconds(5)));
        assertEquals(OptionalDouble.empty(), h.ratePerSecond(T0.plus(ProgressHistory.MIN_SPAN).minusMillis(1)));
        assertEquals(5.0, h.ratePerSecond(T0.plus(ProgressHistory.MIN_SPAN)).orElseThrow(), 1e-9);
    }

    @Test
    void the_rate_from_jumps_of_50_is_steady_neither_zero_between_jumps_nor_a_spike_at_a_jump() {
        ProgressHistory h = ProgressHistory.empty();
        List<Double> rates = new ArrayList<>();
        List<Double> ratesWithFullWindow = new ArrayList<>();
        for (Duration t = Duration.ZERO; t.compareTo(Duration.ofMinutes(10)) <= 0; t = t.plus(POLL)) {
            Instant now = T0.plus(t);
            h = h.observe("op", jumpsOf50(t), now);
            if (t.compareTo(Duration.ofMinutes(1)) >= 0) {
                rates.add(h.ratePerSecond(now).orElseThrow());
            }
            if (t.compareTo(ProgressHistory.WINDOW.plusSeconds(30)) >= 0) {
                ratesWithFullWindow.add(h.ratePerSecond(now).orElseThrow());
            }
        }
        // A rate from the last two polls would alternate between 0 and 10/s.
        for (double r : rates) {
            assertTrue(r >= 4.0 && r <= 6.0, "rate " + r + " in " + rates);
        }
        for (double r : ratesWithFullWindow) {
            assertTrue(r >= 4.8 && r <= 5.2, "rate " + r + " in " + ratesWithFullWindow);
        }
    }

    @Test
    void the_rate_decays_toward_zero_once_counts_stop_and_is_zero_after_a_window() {
        ProgressHistory h = ProgressHistory.empty();
        Duration stopAt = Duration.ofMinutes(10);
        for (Duration t = Duration.ZERO; t.compareTo(stopAt) <= 0; t = t.plus(POLL)) {
            h = h.observe("op", jumpsOf50(t), T0.plus(t));
        }
        long last = jumpsOf50(stopAt);
        double previous = h.ratePerSecond(T0.plus(stopAt)).orElseThrow();
        assertTrue(previous > 4.0, "steady before the stop: " + previous);

        for (Duration t = stopAt.plus(POLL); t.compareTo(stopAt.plus(ProgressHistory.WINDOW)) < 0; t = t.plus(POLL)) {
            Instant now = T0.plus(t);
            h = h.observe("op", last, now);
            double r = h.ratePerSecond(now).orElseThrow();
            assertTrue(r <= previous, "rate rose from " + previous + " to " + r + " at " + t);
            assertTrue(r > 0, "rate hit 0 before a whole window passed, at " + t);
            previous = r;
        }
        Instant afterWindow = T0.plus(stopAt).plus(ProgressHistory.WINDOW).plus(POLL);
        h = h.observe("op", last, afterWindow);
        assertEquals(0.0, h.ratePerSecond(afterWindow).orElseThrow(), 0.0);
    }

    @Test
    void a_new_operation_id_starts_a_new_history() {
        ProgressHistory h = ProgressHistory.empty();
        for (int i = 0; i <= 20; i++) {
            h = h.observe("first", 50L * i, T0.plusSeconds(5L * i));
        }
        assertTrue(h.ratePerSecond(T0.plusSeconds(100)).orElseThrow() > 5);

        Instant switchAt = T0.plusSeconds(105);
        h = h.observe("second", 0, switchAt);
        assertEquals("second", h.operationId());
        assertEquals(List.of(new ProgressHistory.Sample(switchAt, 0)), h.samples());
        assertEquals(OptionalDouble.empty(), h.ratePerSecond(switchAt));

        h = h.observe("second", 20, switchAt.plusSeconds(20));
        assertEquals(1.0, h.ratePerSecond(switchAt.plusSeconds(20)).orElseThrow(), 1e-9);
    }

    @Test
    void a_new_operation_with_the_same_count_as_the_last_one_still_starts_over() {
        ProgressHistory h = ProgressHistory.empty().observe("first", 0, T0).observe("first", 100, T0.plusSeconds(30));
        h = h.observe("second", 100, T0.plusSeconds(35));
        assertEquals("second", h.operationId());
        assertEquals(1, h.samples().size());
    }

    @Test
    void counts_going_backwards_within_one_operation_discard_the_old_samples() {
        ProgressHistory h = ProgressHistory.empty().observe("op", 0, T0).observe("op", 500, T0.plusSeconds(60));
        h = h.observe("op", 50, T0.plusSeconds(65));

        assertEquals(List.of(new ProgressHistory.Sample(T0.plusSeconds(65), 50)), h.samples());
    }

    @Test
    void an_unchanged_count_adds_no_sample() {
        ProgressHistory h = ProgressHistory.empty().observe("op", 50, T0);
        for (int i = 1; i < 50; i++) {
            h = h.observe("op", 50, T0.plusSeconds(i));
        }
        assertEquals(List.of(new ProgressHistory.Sample(T0, 50)), h.samples());
    }

    @Test
    void the_history_stays_bounded_however_fast_counts_move() {
        ProgressHistory h = ProgressHistory.empty();
        for (int i = 0; i < 2000; i++) {
            h = h.observe("op", i, T0.plusMillis(100L * i));
        }
        assertTrue(h.samples().size() <= 128, "samples: " + h.samples().size());
        assertEquals(10.0, h.ratePerSecond(T0.plusMillis(100L * 1999)).orElseThrow(), 0.01);
    }
}
