package io.rcimport.exporter.alert;

import static io.rcimport.exporter.alert.AlertAssertions.assertMentions;
import static io.rcimport.exporter.alert.AlertAssertions.only;
import static io.rcimport.exporter.alert.Polls.STALE_AFTER;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The alert table of DESIGN.md, fed with real Rocket.Chat bodies. */
class AlertConditionsTest {
    private final TestClock clock = TestClock.at("2023-08-10T18:00:00Z");
    private final Polls main = new Polls("main", clock);
    private Instant watchedSince = clock.instant();

    private List<Alert> evaluate() {
        return AlertConditions.evaluate(main.current(), clock.instant(), STALE_AFTER, watchedSince);
    }

    @Test
    void an_import_the_importer_reported_as_failed_is_critical() {
        main.answer("status-ready.json");
        clock.advance(Duration.ofSeconds(15));
        Instant failedAt = clock.instant();
        main.answer("status-failed.json");

        Alert a = only(evaluate());

        assertAll(
                () -> assertEquals(Alert.FAILED, a.name()),
                () -> assertEquals(Severity.CRITICAL, a.severity()),
                () -> assertEquals("main", a.target()),
                () -> assertEquals(Optional.of("64d51ea91558939980aab371"), a.operationId()),
                () -> assertEquals(failedAt, a.startsAt()),
                () -> assertMentions(a.summary(), "main", "error"),
                () -> assertMentions(a.description(), "target main", "state error", "since " + failedAt,
                        "the importer reported a failure", "status importer_import_failed", "valid=true",
                        "progress 6.6 %", "1200 completed", "3 failed of 18250"));
    }

    @Test
    void an_error_left_by_a_restart_mid_import_is_only_a_warning_and_says_the_operation_was_invalidated() {
        main.answer("status-error-after-restart.json");

        Alert a = only(evaluate());

        assertAll(
                () -> assertEquals(Alert.FAILED, a.name()),
                () -> assertEquals(Severity.WARNING, a.severity()),
                () -> assertEquals(Optional.of("64d69545ee8ae821983005f5"), a.operationId()),
                () -> assertMentions(a.description(), "target main", "state error", "since " + clock.instant(),
                        "invalidated", "status importer_importing_users", "valid=false", "progress 63.1 %",
                        "3150 completed", "4 failed of 5000"));
    }

    @Test
    void a_canceled_import_is_a_warning() {
        main.answer("status-canceled.json");

        Alert a = only(evaluate());

        assertAll(
                () -> assertEquals(Alert.CANCELED, a.name()),
                () -> assertEquals(Severity.WARNING, a.severity()),
                () -> assertEquals(Optional.of("64d51ea91558939980aab371"), a.operationId()),
                () -> assertMentions(a.summary(), "main", "canceled"),
                () -> assertMentions(a.description(), "target main", "canceled since " + clock.instant(),
                        "status importer_import_cancelled", "progress 0.0 %", "of 120"));
    }

    @Test
    void an_import_whose_heartbeat_stopped_for_stall_after_is_stalled() {
        // status-importing-slack.json: _updatedAt 2021-10-26T20:52:24.211Z
        clock.set(Instant.parse("2021-10-26T20:53:00Z"));
        main.answer("status-importing-slack.json");
        assertEquals(List.of(), evaluate(), "importing with a fresh heartbeat");

        clock.set(Instant.parse("2021-10-26T21:02:24.211Z")); // exactly stall_after later
        main.answer("status-importing-slack.json");

        Alert a = only(evaluate());
        assertAll(
                () -> assertEquals(Alert.STALLED, a.name()),
                () -> assertEquals(Severity.WARNING, a.severity()),
                () -> assertEquals(Optional.of("MJxTRZsYdho8Ww2qq"), a.operationId()),
                () -> assertMentions(a.summary(), "main", "stalled"),
                () -> assertMentions(a.description(), "target main", "importing",
                        "since 2021-10-26T20:52:24.211Z", "status importer_importing_messages", "progress 52.1 %",
                        "9500 completed", "12 failed of 18250"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"status-none.json", "status-done-clean.json", "status-unknown-step.json"})
    void a_quiet_state_fires_nothing(String fixture) {
        clock.set(Instant.parse("2026-05-02T09:01:30Z"));
        main.answer(fixture);

        assertEquals(List.of(), evaluate());
    }

    @Test
    void a_running_import_with_a_fresh_heartbeat_fires_nothing() {
        clock.set(Instant.parse("2021-10-26T20:53:00Z"));
        main.answer("status-importing-slack.json");

        assertEquals(List.of(), evaluate());
    }

    @ParameterizedTest
    @CsvSource({
            "UNAUTHORIZED, critical",
            "FORBIDDEN, critical",
            "NOT_FOUND, critical",
            "TIMEOUT, warning",
            "SERVER_ERROR, warning",
            "CONNECTION_ERROR, warning",
            "RATE_LIMITED, warning",
            "CIRCUIT_OPEN, warning"})
    void a_target_without_a_good_poll_for_stale_after_is_down(Outcome outcome, String severity) {
        Instant lastGood = clock.instant();
        main.answer("status-ready.json");
        clock.advance(Duration.ofSeconds(15));
        main.fail(outcome, "the reason given by the client");
        clock.set(lastGood.plus(STALE_AFTER));
        main.fail(outcome, "the reason given by the client");
        assertEquals(List.of(), evaluate(), "exactly stale_after without a good poll is not yet down");

        clock.advance(Duration.ofSeconds(1));
        main.fail(outcome, "the reason given by the client");

        Alert a = only(evaluate());
        assertAll(
                () -> assertEquals(Alert.TARGET_DOWN, a.name()),
                () -> assertEquals(severity, a.severity().label()),
                () -> assertEquals(Optional.of("64d51ea91558939980aab371"), a.operationId(),
                        "the operation of the last good poll is still known"),
                () -> assertMentions(a.summary(), "main"),
                () -> assertMentions(a.description(), "target main", "since " + lastGood,
                        "last outcome " + outcome.label(), "the reason given by the client"));
    }

    @Test
    void a_target_that_has_never_answered_is_down_once_watched_for_stale_after() {
        clock.set(Instant.parse("2026-05-02T09:00:00Z"));
        watchedSince = clock.instant();
        main.fail(Outcome.NOT_FOUND, "HTTP 404 (text/html): not a Rocket.Chat 6.3+ API");
        assertEquals(List.of(), evaluate(), "the first failed poll");
        clock.set(watchedSince.plus(STALE_AFTER));
        main.fail(Outcome.NOT_FOUND, "HTTP 404 (text/html): not a Rocket.Chat 6.3+ API");
        assertEquals(List.of(), evaluate(), "exactly stale_after");

        clock.advance(Duration.ofSeconds(1));
        main.fail(Outcome.NOT_FOUND, "HTTP 404 (text/html): not a Rocket.Chat 6.3+ API");

        Alert a = only(evaluate());
        assertAll(
                () -> assertEquals(Alert.TARGET_DOWN, a.name()),
                () -> assertEquals(Severity.CRITICAL, a.severity()),
                () -> assertEquals(Optional.empty(), a.operationId()),
                () -> assertMentions(a.description(), "target main since never", "last outcome not_found", "HTTP 404"));
    }

    @Test
    void a_target_that_answered_once_is_judged_by_its_last_good_poll_not_by_how_long_it_is_watched() {
        clock.advance(Duration.ofMinutes(30));
        main.answer("status-none.json");
        clock.advance(Duration.ofSeconds(59));
        main.fail(Outcome.TIMEOUT, "no answer within 5s");

        assertEquals(List.of(), evaluate());
    }

    @Test
    void only_the_configuration_outcomes_ask_a_human_for_a_fix() {
        main.answer("status-none.json");
        clock.advance(Duration.ofMinutes(2));
        main.fail(Outcome.FORBIDDEN, "User does not have the permissions required for this action [error-unauthorized]");
        Alert forbidden = only(evaluate());

        main.fail(Outcome.TIMEOUT, "no answer within 5s");
        Alert timeout = only(evaluate());

        assertAll(
                () -> assertMentions(forbidden.description(), "configuration fix", "[error-unauthorized]"),
                () -> assertTrue(!timeout.description().contains("configuration fix"), timeout.description()),
                () -> assertEquals(Optional.empty(), forbidden.operationId(), "state none has no operation"));
    }

    @Test
    void a_target_that_answers_again_is_no_longer_down() {
        main.answer("status-ready.json");
        clock.advance(Duration.ofMinutes(5));
        main.fail(Outcome.CONNECTION_ERROR, "connection refused");
        assertEquals(Alert.TARGET_DOWN, only(evaluate()).name());

        main.answer("status-ready.json");

        assertEquals(List.of(), evaluate());
    }

    @Test
    void a_failed_import_on_a_target_that_is_down_fires_both() {
        main.answer("status-failed.json");
        clock.advance(Duration.ofMinutes(2));
        main.fail(Outcome.UNAUTHORIZED, "You must be logged in to do this.");

        List<Alert> alerts = evaluate();

        assertEquals(List.of(Alert.FAILED, Alert.TARGET_DOWN), alerts.stream().map(Alert::name).toList());
        assertEquals(List.of(Severity.CRITICAL, Severity.CRITICAL), alerts.stream().map(Alert::severity).toList());
    }
}
