package io.rcimport.exporter.status;

import static io.rcimport.exporter.status.StatusFixtures.failure;
import static io.rcimport.exporter.status.StatusFixtures.importing;
import static io.rcimport.exporter.status.StatusFixtures.none;
import static io.rcimport.exporter.status.StatusFixtures.ready;
import static io.rcimport.exporter.status.StatusFixtures.success;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The derived numbers and transitions, driven through a {@link StatusStore} on a test clock. */
class SnapshotTransitionTest {
    private static final Duration STALL_AFTER = Duration.ofMinutes(10);
    private static final Duration POLL = Duration.ofSeconds(5);

    private TestClock clock;
    private StatusStore store;

    @BeforeEach
    void setUp() {
        clock = TestClock.at("2026-05-02T10:00:00Z");
        store = new StatusStore(List.of("main"), clock, STALL_AFTER);
    }

    private TargetSnapshot update(PollResult r) {
        return store.update("main", r).orElseThrow().current();
    }

    private SnapshotTransition.Change change(PollResult r) {
        return store.update("main", r).orElseThrow();
    }

    /** Polls every 5 s for {@code duration}, an import writing 50 records every 10 s. */
    private TargetSnapshot importSteadily(String opId, long total, long startCount, Duration duration) {
        Instant start = clock.instant();
        TargetSnapshot s = null;
        for (Duration t = Duration.ZERO; t.compareTo(duration) <= 0; t = t.plus(POLL)) {
            clock.set(start.plus(t));
            long count = startCount + 50 * (t.toSeconds() / 10);
            Instant heartbeat = start.plusSeconds(10 * (t.toSeconds() / 10));
            s = update(importing(opId, total, count, heartbeat));
        }
        return s;
    }

    // --- progress ---

    @Test
    void progress_ratio_is_absent_while_total_is_zero() {
        TargetSnapshot s = update(importing("op", 0, 0, clock.instant()));
        assertEquals(OptionalDouble.empty(), s.progressRatio());
    }

    @Test
    void progress_ratio_counts_completed_and_failed_records() {
        TargetSnapshot s = update(success(ImportState.IMPORTING, "importer_importing_users", "op",
                new ImportCounts(200, 40, 10, 200, 0, 0), Optional.of(clock.instant())));
        assertEquals(0.25, s.progressRatio().orElseThrow(), 1e-12);
    }

    @Test
    void progress_ratio_never_exceeds_one() {
        TargetSnapshot s = update(importing("op", 100, 120, clock.instant()));
        assertEquals(1.0, s.progressRatio().orElseThrow(), 0.0);
    }

    @Test
    void progress_ratio_is_absent_without_an_operation() {
        assertEquals(OptionalDouble.empty(), update(none()).progressRatio());
    }

    // --- rate and ETA ---

    @Test
    void the_rate_of_a_steady_import_is_published_on_the_snapshot() {
        TargetSnapshot s = importSteadily("op", 100_000, 0, Duration.ofMinutes(3));
        assertEquals(5.0, s.recordsPerSecond().orElseThrow(), 0.5);
    }

    @Test
    void eta_is_remaining_records_over_the_rate_while_importing() {
        TargetSnapshot s = importSteadily("op", 10_000, 0, Duration.ofMinutes(3));
        long remaining = 10_000 - s.counts().processed();
        double rate = s.recordsPerSecond().orElseThrow();

        assertTrue(rate > 0);
        assertEquals(remaining / rate, s.etaSeconds().orElseThrow(), 1e-9);
    }

    @Test
    void eta_disappears_when_the_rate_falls_to_zero() {
        importSteadily("op", 10_000, 0, Duration.ofMinutes(3));
        TargetSnapshot s = null;
        Instant frozen = clock.instant();
        long count = store.get("main").orElseThrow().counts().processed();
        for (int i = 0; i < 70; i++) {
            clock.advance(POLL);
            s = update(importing("op", 10_000, count, frozen));
        }
        assertEquals(0.0, s.recordsPerSecond().orElseThrow(), 0.0);
        assertEquals(OptionalDouble.empty(), s.etaSeconds());
    }

    @Test
    void a_new_operation_resets_the_rate_and_the_eta() {
        importSteadily("first", 10_000, 0, Duration.ofMinutes(3));
        clock.advance(POLL);

        TargetSnapshot s = update(importing("second", 10_000, 0, clock.instant()));

        assertEquals("second", s.history().operationId());
        assertEquals(OptionalDouble.empty(), s.recordsPerSecond());
        assertEquals(OptionalDouble.empty(), s.etaSeconds());
    }

    @Test
    void eta_is_only_given_while_importing_with_a_known_total_a_positive_rate_and_records_left() {
        ImportCounts counts = new ImportCounts(1000, 400, 100, 0, 0, 0);
        assertEquals(100.0, SnapshotTransition.eta(ImportState.IMPORTING, counts, OptionalDouble.of(5)).orElseThrow(), 1e-12);

        for (ImportState other : ImportState.values()) {
            if (other != ImportState.IMPORTING) {
                assertEquals(OptionalDouble.empty(), SnapshotTransition.eta(other, counts, OptionalDouble.of(5)), other.label());
            }
        }
        assertEquals(OptionalDouble.empty(), SnapshotTransition.eta(ImportState.IMPORTING, counts, OptionalDouble.of(0)));
        assertEquals(OptionalDouble.empty(), SnapshotTransition.eta(ImportState.IMPORTING, counts, OptionalDouble.empty()));
        assertEquals(OptionalDouble.empty(), SnapshotTransition.eta(ImportState.IMPORTING,
                new ImportCounts(0, 400, 0, 0, 0, 0), OptionalDouble.of(5)));
        assertEquals(OptionalDouble.empty(), SnapshotTransition.eta(ImportState.IMPORTING,
                new ImportCounts(1000, 990, 10, 0, 0, 0), OptionalDouble.of(5)));
    }

    // --- stall ---

    @Test
    void an_import_whose_heartbeat_stops_is_stalled_after_stall_after_and_not_before() {
        Instant heartbeat = clock.instant();
        assertFalse(update(importing("op", 1000, 100, heartbeat)).stalled());

        clock.advance(STALL_AFTER.minusSeconds(1));
        assertFalse(update(importing("op", 1000, 100, heartbeat)).stalled());

        clock.advance(Duration.ofSeconds(1));
        assertTrue(update(importing("op", 1000, 100, heartbeat)).stalled());
    }

    @Test
    void a_moving_heartbeat_clears_the_stall() {
        Instant heartbeat = clock.instant();
        clock.advance(STALL_AFTER.plusMinutes(1));
        assertTrue(update(importing("op", 1000, 100, heartbeat)).stalled());

        assertFalse(update(importing("op", 1000, 150, clock.instant())).stalled());
    }

    @Test
    void a_loading_import_can_stall_too() {
        Instant heartbeat = clock.instant();
        clock.advance(STALL_AFTER);
        assertTrue(update(success(ImportState.LOADING, "importer_preparing_messages", "op", ImportCounts.EMPTY,
                Optional.of(heartbeat))).stalled());
    }

    @Test
    void done_ready_and_error_are_never_stalled_however_old_the_heartbeat() {
        Instant heartbeat = clock.instant();
        clock.advance(Duration.ofDays(3));
        assertFalse(update(success(ImportState.DONE, "importer_done", "op", ImportCounts.EMPTY, Optional.of(heartbeat))).stalled());
        assertFalse(update(ready("op", 10, heartbeat)).stalled());
        assertFalse(update(success(ImportState.ERROR, "importer_import_failed", "op", ImportCounts.EMPTY, Optional.of(heartbeat))).stalled());
    }

    @Test
    void a_server_clock_an_hour_behind_does_not_stall_an_import_whose_heartbeat_moves() {
        Duration skew = Duration.ofHours(1);
        // First sight: the server's age of the value is believed (an hour, with this skew).
        assertTrue(update(importing("op", 1000, 100, clock.instant().minus(skew))).stalled());
        // The heartbeat moves: from now on our own clock measures how long it stays unchanged.
        Instant written = clock.instant().minus(skew).plusSeconds(10);
        assertFalse(update(importing("op", 1000, 150, written)).stalled());
        clock.advance(STALL_AFTER.minusSeconds(1));
        assertFalse(update(importing("op", 1000, 150, written)).stalled());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(update(importing("op", 1000, 150, written)).stalled());
    }

    @Test
    void a_server_clock_ahead_starts_the_heartbeat_at_our_now() {
        Instant future = clock.instant().plus(Duration.ofHours(2));
        TargetSnapshot s = update(importing("op", 1000, 100, future));
        assertEquals(Optional.of(clock.instant()), s.heartbeatSince());
        clock.advance(STALL_AFTER);
        assertTrue(update(importing("op", 1000, 100, future)).stalled(), "unchanged for stall_after on our clock");
    }

    @Test
    void a_good_answer_with_no_calls_remaining_waits_for_the_reset() {
        Instant reset = clock.instant().plusSeconds(42);
        PollResult.Success exhausted = new PollResult.Success(((PollResult.Success) none()).status(),
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), OptionalLong.of(0), Optional.of(reset));
        assertEquals(Optional.of(reset), update(exhausted).notBefore());
        PollResult.Success plenty = new PollResult.Success(((PollResult.Success) none()).status(),
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), OptionalLong.of(3), Optional.of(reset));
        assertEquals(Optional.empty(), update(plenty).notBefore());
    }

    @Test
    void an_operation_without_updated_at_is_not_called_stalled() {
        clock.advance(Duration.ofDays(1));
        assertFalse(update(success(ImportState.IMPORTING, "importer_importing_users", "op", ImportCounts.EMPTY, Optional.empty())).stalled());
    }

    // --- transitions ---

    @Test
    void the_first_good_poll_is_not_a_transition() {
        assertEquals(Optional.empty(), change(ready("op", 2, clock.instant())).transition());
    }

    @Test
    void a_state_change_is_reported_once_with_from_to_and_when() {
        change(ready("op", 2, clock.instant()));
        Instant at = clock.advance(POLL);

        SnapshotTransition.Change c = change(importing("op", 2, 0, at));
        assertEquals(Optional.of(new StateTransition(ImportState.READY, ImportState.IMPORTING, at)), c.transition());
        assertEquals(Optional.of(at), c.current().stateSince());

        clock.advance(POLL);
        SnapshotTransition.Change again = change(importing("op", 2, 1, clock.instant()));
        assertEquals(Optional.empty(), again.transition());
        assertEquals(Optional.of(at), again.current().stateSince(), "state_since stays at the change");
    }

    @Test
    void failed_polls_between_two_states_neither_report_nor_lose_the_transition() {
        change(importing("op", 2, 0, clock.instant()));
        clock.advance(POLL);
        assertEquals(Optional.empty(), change(failure(Outcome.TIMEOUT, "slow")).transition());
        clock.advance(POLL);
        assertEquals(Optional.empty(), change(failure(Outcome.SERVER_ERROR, "HTTP 502")).transition());
        Instant at = clock.advance(POLL);

        SnapshotTransition.Change c = change(success(ImportState.DONE, "importer_done", "op",
                new ImportCounts(2, 2, 0, 2, 0, 0), Optional.of(at)));

        assertEquals(Optional.of(new StateTransition(ImportState.IMPORTING, ImportState.DONE, at)), c.transition());
    }

    @Test
    void listeners_hear_every_change_after_the_swap() {
        List<SnapshotTransition.Change> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        store.addListener(c -> {
            assertEquals(c.current(), store.get("main").orElseThrow(), "listener runs after the swap");
            heard.add(c);
        });
        change(ready("op", 2, clock.instant()));
        change(importing("op", 2, 0, clock.advance(POLL)));

        assertEquals(2, heard.size());
        assertEquals(ImportState.IMPORTING, heard.get(1).transition().orElseThrow().to());
    }

    // --- staleness ---

    @Test
    void a_target_never_polled_successfully_is_stale() {
        assertTrue(store.get("main").orElseThrow().stale(clock.instant(), Duration.ofMinutes(1)));
        assertTrue(update(failure(Outcome.CONNECTION_ERROR, "refused")).stale(clock.instant(), Duration.ofMinutes(1)));
    }

    @Test
    void a_target_is_stale_once_its_last_good_poll_is_older_than_stale_after_and_failures_do_not_refresh_it() {
        Duration staleAfter = Duration.ofMinutes(1);
        update(ready("op", 2, clock.instant()));
        clock.advance(Duration.ofSeconds(30));
        TargetSnapshot afterFailure = update(failure(Outcome.TIMEOUT, "slow"));

        assertFalse(afterFailure.stale(clock.instant(), staleAfter));
        clock.advance(Duration.ofSeconds(30));
        assertFalse(afterFailure.stale(clock.instant(), staleAfter), "exactly stale_after is still fresh");
        clock.advance(Duration.ofMillis(1));
        assertTrue(store.get("main").orElseThrow().stale(clock.instant(), staleAfter));
    }

    // --- failures ---

    @Test
    void a_failure_keeps_the_last_good_data_and_records_the_error() {
        TargetSnapshot good = update(importing("op", 1000, 250, clock.instant()));
        Instant failedAt = clock.advance(POLL);

        TargetSnapshot s = update(new PollResult.Failure(Outcome.RATE_LIMITED, "rate limited by Rocket.Chat (HTTP 429)",
                Optional.of(failedAt.plusSeconds(42)), OptionalLong.of(0)));

        assertEquals(good.status(), s.status());
        assertArrayEquals(good.raw().orElseThrow().body(), s.raw().orElseThrow().body());
        assertEquals(good.lastSuccessAt(), s.lastSuccessAt());
        assertEquals(0.25, s.progressRatio().orElseThrow(), 1e-12);
        assertEquals(ImportState.IMPORTING, s.state());
        assertEquals(Optional.of(Outcome.RATE_LIMITED), s.lastOutcome());
        assertEquals(Optional.of(new PollError(Outcome.RATE_LIMITED, "rate limited by Rocket.Chat (HTTP 429)", failedAt)), s.lastError());
        assertFalse(s.up());
        assertEquals(1, s.consecutiveFailures());
        assertEquals(2, s.polls());
        assertEquals(Optional.of(failedAt.plusSeconds(42)), s.notBefore());
        assertEquals(OptionalLong.of(0), s.rateLimitRemaining());
    }

    @Test
    void consecutive_failures_count_up_and_the_latest_error_wins() {
        update(ready("op", 2, clock.instant()));
        update(failure(Outcome.TIMEOUT, "first"));
        TargetSnapshot s = update(failure(Outcome.SERVER_ERROR, "second"));

        assertEquals(2, s.consecutiveFailures());
        assertEquals("second", s.lastError().orElseThrow().message());
        assertEquals(Outcome.SERVER_ERROR, s.lastError().orElseThrow().outcome());
    }

    @Test
    void a_failure_without_rate_limit_headers_keeps_the_last_known_remaining() {
        update(new PollResult.Success(ready("op", 2, clock.instant()).status(), new byte[] {'{', '}'}, OptionalLong.of(7)));
        assertEquals(OptionalLong.of(7), update(failure(Outcome.TIMEOUT, "slow")).rateLimitRemaining());
    }

    @Test
    void a_good_poll_after_failures_resets_the_count_and_the_wait_but_keeps_the_last_error_for_humans() {
        update(new PollResult.Failure(Outcome.RATE_LIMITED, "limited", Optional.of(clock.instant().plusSeconds(42)), OptionalLong.empty()));
        clock.advance(Duration.ofSeconds(45));

        TargetSnapshot s = update(ready("op", 2, clock.instant()));

        assertTrue(s.up());
        assertEquals(0, s.consecutiveFailures());
        assertEquals(Optional.empty(), s.notBefore());
        assertEquals("limited", s.lastError().orElseThrow().message());
    }

    // --- store ---

    @Test
    void the_store_is_ready_once_every_target_has_had_one_poll_good_or_not() {
        StatusStore two = new StatusStore(List.of("a", "b"), clock, STALL_AFTER);
        assertFalse(two.allPolled());
        two.update("a", failure(Outcome.CONNECTION_ERROR, "refused"));
        assertFalse(two.allPolled());
        two.update("b", none());
        assertTrue(two.allPolled());
        assertEquals(List.of("a", "b"), two.names());
        assertEquals(List.of("a", "b"), two.all().stream().map(TargetSnapshot::target).toList());
    }

    @Test
    void a_result_for_a_target_no_longer_known_is_dropped_and_tells_no_listener() {
        List<SnapshotTransition.Change> heard = new java.util.ArrayList<>();
        store.addListener(heard::add);
        assertEquals(Optional.empty(), store.update("nope", none()));
        assertEquals(List.of(), heard);
        assertEquals(List.of("main"), store.names());
    }

    @Test
    void the_rate_is_zero_outside_importing_and_counts_only_time_spent_importing() {
        update(ready("op", 1000, clock.instant()));
        clock.advance(Duration.ofMinutes(4)); // a long wait in ready must not dilute the rate
        assertEquals(OptionalDouble.of(0), update(ready("op", 1000, clock.instant())).recordsPerSecond());
        update(importing("op", 1000, 0, clock.instant()));
        clock.advance(Duration.ofSeconds(20));
        TargetSnapshot s = update(importing("op", 1000, 100, clock.instant()));
        assertEquals(5.0, s.recordsPerSecond().getAsDouble(), 1e-9, "100 records in the 20 s spent importing");
    }

    @Test
    void retaining_targets_keeps_the_state_of_the_remaining_ones_and_adds_new_ones_fresh() {
        update(ready("op", 2, clock.instant()));

        store.retainTargets(List.of("new", "main"));

        assertEquals(List.of("new", "main"), store.names());
        assertEquals(ImportState.READY, store.get("main").orElseThrow().state());
        assertFalse(store.get("new").orElseThrow().polled());
    }
}
