package io.rcimport.exporter.alert;

import static io.rcimport.exporter.alert.AlertAssertions.assertMentions;
import static io.rcimport.exporter.alert.AlertAssertions.only;
import static io.rcimport.exporter.alert.Polls.STALE_AFTER;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The alerts of what real migrations produce beside the happy path: an admin to wait for, a
 * failure after an invalidation, a done import with failed records.
 */
class MigrationAlertsTest {
    private final TestClock clock = TestClock.at("2026-11-30T09:13:00Z");
    private final Polls main = new Polls("main", clock);

    private List<Alert> evaluate() {
        return AlertConditions.evaluate(main.current(), clock.instant(), STALE_AFTER, Instant.parse("2026-11-30T09:00:00Z"));
    }

    @Test
    void a_file_waiting_for_an_admin_is_never_stalled_and_after_30_minutes_is_an_info_alert_that_says_what_to_do() {
        main.answer("status-file-loaded.json"); // _updatedAt 09:12:41.907
        assertEquals(List.of(), evaluate());

        clock.set(Instant.parse("2026-11-30T09:25:00Z")); // past stall_after (10m): no stall
        main.answer("status-file-loaded.json");
        assertEquals(List.of(), evaluate());

        clock.set(Instant.parse("2026-11-30T09:42:41.907Z"));
        main.answer("status-file-loaded.json");
        Alert a = only(evaluate());
        assertAll(
                () -> assertEquals(Alert.AWAITING_OPERATOR, a.name()),
                () -> assertEquals(Severity.INFO, a.severity()),
                () -> assertEquals(Optional.of("6571b2c09a1f3e0d2c4b8a11"), a.operationId()),
                () -> assertMentions(a.summary(), "main", "waiting for an admin"),
                () -> assertMentions(a.description(), "since 2026-11-30T09:12:41.907Z", "open Administration > Import",
                        "status importer_file_loaded"));
    }

    @Test
    void user_selection_asks_the_admin_to_press_start() {
        clock.set(Instant.parse("2023-08-10T18:11:20.052Z")); // status-ready.json: _updatedAt 30 min earlier
        main.answer("status-ready.json");
        Alert a = only(evaluate());
        assertEquals(Alert.AWAITING_OPERATOR, a.name());
        assertMentions(a.description(), "press Start");
    }

    @Test
    void a_ready_import_with_a_fresh_heartbeat_fires_nothing() {
        clock.set(Instant.parse("2023-08-10T17:45:00Z"));
        main.answer("status-ready.json");
        assertEquals(List.of(), evaluate());
    }

    @Test
    void a_failure_of_an_invalidated_operation_is_a_warning_that_says_it_was_invalidated_and_then_aborted() {
        main.answer("status-failed-after-invalidation.json");
        Alert a = only(evaluate());
        assertAll(
                () -> assertEquals(Alert.FAILED, a.name()),
                () -> assertEquals(Severity.WARNING, a.severity()),
                () -> assertMentions(a.description(), "invalidated (cleared, replaced by a new import, or a server instance restarted)",
                        "then aborted by the importer", "status importer_import_failed", "valid=false"));
    }

    @Test
    void a_real_failure_stays_critical() {
        main.answer("status-failed.json");
        assertEquals(Severity.CRITICAL, only(evaluate()).severity());
    }

    @Test
    void a_done_import_with_failed_records_warns_with_the_numbers_and_ends_when_another_operation_starts() {
        main.answer("status-done-with-errors.json");
        Alert a = only(evaluate());
        assertAll(
                () -> assertEquals(Alert.COMPLETED_WITH_ERRORS, a.name()),
                () -> assertEquals(Severity.WARNING, a.severity()),
                () -> assertEquals(Optional.of("6571c5e2b7d94a0f1e3a2c78"), a.operationId()),
                () -> assertMentions(a.summary(), "main", "37 of 300 records failed"),
                () -> assertMentions(a.description(), "37 of 300 records failed; their data stays in the staging area"));

        clock.advance(Duration.ofSeconds(15));
        main.answer("status-overcounted.json"); // a new operation, importing
        assertEquals(List.of(), evaluate().stream().filter(x -> x.name().equals(Alert.COMPLETED_WITH_ERRORS)).toList());
    }

    @Test
    void a_clean_done_import_fires_nothing() {
        main.answer("status-done-clean.json");
        assertEquals(List.of(), evaluate());
    }
}
