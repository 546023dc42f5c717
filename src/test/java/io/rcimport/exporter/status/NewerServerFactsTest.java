package io.rcimport.exporter.status;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.ImportStatusParser;
import io.rcimport.exporter.rocketchat.InvalidResponseException;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ServerVersion;
import io.rcimport.exporter.testing.RocketChatFixtures;
import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * What real migrations on 7.x-9.0 servers produce beside the happy path (the fact sheet's
 * "Newer facts"): waiting for an admin, over-counting, contacts, the server's version and its
 * recent operations, driven through a {@link StatusStore} on a test clock.
 */
class NewerServerFactsTest {
    private static final Duration STALL_AFTER = Duration.ofMinutes(10);
    private static final Duration AWAITING_AFTER = Duration.ofMinutes(30);

    /** status-file-loaded.json: _updatedAt 2026-11-30T09:12:41.907Z. */
    private final TestClock clock = TestClock.at("2026-11-30T09:13:00Z");
    private final StatusStore store = new StatusStore(List.of("main"), clock, new HeartbeatLimits(STALL_AFTER, AWAITING_AFTER));

    private static PollResult.Success fixture(String name) {
        byte[] body = RocketChatFixtures.bytes(name);
        try {
            return new PollResult.Success(ImportStatusParser.parse(body), body, OptionalLong.empty());
        } catch (InvalidResponseException e) {
            throw new AssertionError(name, e);
        }
    }

    private TargetSnapshot poll(PollResult result) {
        return store.update("main", result).orElseThrow().current();
    }

    private TargetSnapshot poll(PollReport report) {
        return store.update("main", report).orElseThrow().current();
    }

    @Test
    void an_uploaded_file_waiting_for_an_admin_is_never_stalled_and_is_awaiting_an_operator_after_the_limit() {
        TargetSnapshot first = poll(fixture("status-file-loaded.json"));
        assertFalse(first.stalled());
        assertFalse(first.awaitingOperator(), "the heartbeat is 18 s old");

        clock.set(Instant.parse("2026-11-30T09:12:41.907Z").plus(STALL_AFTER).plusSeconds(1));
        TargetSnapshot afterStallAfter = poll(fixture("status-file-loaded.json"));
        assertFalse(afterStallAfter.stalled(), "loading, heartbeat frozen for stall_after, but waiting for a person");
        assertFalse(afterStallAfter.awaitingOperator(), "not yet awaiting_operator_after");

        clock.set(Instant.parse("2026-11-30T09:12:41.907Z").plus(AWAITING_AFTER));
        TargetSnapshot waiting = poll(fixture("status-file-loaded.json"));
        assertAll(
                () -> assertTrue(waiting.awaitingOperator()),
                () -> assertFalse(waiting.stalled()),
                () -> assertEquals("loading", waiting.state().label()));
    }

    @Test
    void user_selection_waits_for_an_admin_to_press_start() {
        clock.set(Instant.parse("2023-08-10T17:41:30Z")); // status-ready.json: _updatedAt 17:41:20.052Z
        assertFalse(poll(fixture("status-ready.json")).awaitingOperator());

        clock.set(Instant.parse("2023-08-10T18:11:20.052Z"));
        assertTrue(poll(fixture("status-ready.json")).awaitingOperator());
    }

    @Test
    void a_moving_import_is_not_awaiting_anyone_and_an_invalid_one_at_an_operator_step_is_not_either() {
        clock.set(Instant.parse("2026-11-30T10:00:00Z"));
        poll(StatusFixtures.importing("op1", 1000, 100, clock.instant().minus(Duration.ofHours(2))));
        assertFalse(store.get("main").orElseThrow().awaitingOperator(), "importing: stalled maybe, never awaiting");
        assertTrue(store.get("main").orElseThrow().stalled());

        PollResult.Success invalidAtSelection = new PollResult.Success(
                new ImportStatus(ImportState.ERROR, Optional.of(
                        new ImportOperation("op2", "api", "api", "importer_user_selection", false,
                                Optional.of(Instant.parse("2026-11-30T07:00:00Z")), Optional.of(Instant.parse("2026-11-30T07:00:00Z")),
                                ImportCounts.EMPTY))),
                "{}".getBytes(), OptionalLong.empty());
        TargetSnapshot invalid = poll(invalidAtSelection);
        assertFalse(invalid.awaitingOperator(), "an invalidated operation waits for nobody");
        assertFalse(invalid.stalled());
    }

    @Test
    void over_counting_keeps_progress_at_most_one_and_eta_and_rate_never_negative() {
        // status-overcounted.json: total 135, completed 179, importing
        clock.set(Instant.parse("2026-11-30T11:04:15Z"));
        poll(fixture("status-overcounted.json"));
        clock.advance(Duration.ofSeconds(30));
        TargetSnapshot s = poll(fixture("status-overcounted.json"));

        assertAll(
                () -> assertEquals(1.0, s.progressRatio().getAsDouble(), 1e-12),
                () -> assertTrue(s.etaSeconds().isEmpty(), "no honest estimate past the total: " + s.etaSeconds()),
                () -> assertEquals(0.0, s.recordsPerSecond().getAsDouble(), 1e-12, "nothing moved in 30 s"));
    }

    @Test
    void counts_going_backwards_never_give_a_negative_rate() {
        clock.set(Instant.parse("2026-11-30T11:00:00Z"));
        poll(StatusFixtures.importing("op1", 135, 179, clock.instant()));
        clock.advance(Duration.ofSeconds(20));
        poll(StatusFixtures.importing("op1", 135, 179, clock.instant().minusSeconds(20)));
        clock.advance(Duration.ofSeconds(20));
        TargetSnapshot s = poll(StatusFixtures.importing("op1", 135, 120, clock.instant()));
        assertTrue(s.recordsPerSecond().isEmpty() || s.recordsPerSecond().getAsDouble() >= 0, String.valueOf(s.recordsPerSecond()));
        assertTrue(s.etaSeconds().isEmpty() || s.etaSeconds().getAsDouble() >= 0, String.valueOf(s.etaSeconds()));
    }

    @Test
    void contacts_are_read_from_the_count() {
        TargetSnapshot s = poll(fixture("status-done-clean.json"));
        assertEquals(12, s.counts().contacts());
        assertEquals(12L, s.counts().byField().get("contacts"));
    }

    @Test
    void a_404_from_a_server_that_reports_6_2_says_it_needs_6_3() {
        PollResult.Failure notFound = PollResult.Failure.of(Outcome.NOT_FOUND, "HTTP 404: no import.status endpoint");
        TargetSnapshot s = poll(new PollReport(notFound, ServerVersion.parse("6.2.10"), Optional.empty()));

        assertAll(
                () -> assertEquals("6.2.10", s.serverVersion().orElseThrow().text()),
                () -> assertEquals("HTTP 404: Rocket.Chat 6.2 has no import.status; it needs 6.3 or later",
                        s.lastError().orElseThrow().message()));
    }

    @Test
    void a_404_from_a_current_server_keeps_the_classifiers_message() {
        poll(new PollReport(fixture("status-none.json"), ServerVersion.parse("7.11"), Optional.empty()));
        TargetSnapshot s = poll(PollResult.Failure.of(Outcome.NOT_FOUND, "HTTP 404: no import.status endpoint"));
        assertEquals("HTTP 404: no import.status endpoint", s.lastError().orElseThrow().message());
        assertEquals(Optional.of("7.11"), s.serverVersion().map(ServerVersion::text), "the version is kept between fetches");
    }

    @Test
    void recent_operations_are_kept_until_a_poll_fetches_them_again() throws InvalidResponseException {
        List<ImportOperation> history = ImportStatusParser.operations(RocketChatFixtures.bytes("history.json"), 20);
        poll(new PollReport(fixture("status-overcounted.json"), Optional.empty(), Optional.of(history)));
        TargetSnapshot later = poll(fixture("status-overcounted.json"));
        assertEquals(history, later.recentOperations());

        TargetSnapshot refused = poll(new PollReport(fixture("status-overcounted.json"), Optional.empty(), Optional.of(List.of())));
        assertEquals(List.of(), refused.recentOperations());
    }
}
