package io.rcimport.exporter.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rcimport.exporter.rocketchat.ImportStatusParser;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** RocketChatImportTargetDown: no good poll for stale_after, counted from the first poll when there never was a good one. */
class AlertEvaluatorTargetDownTest {
    private static final Duration STALE_AFTER = Duration.ofSeconds(5);

    private final TestClock clock = TestClock.at("2026-05-02T09:00:00Z");
    private final StatusStore store = new StatusStore(List.of("main"), clock, Duration.ofMinutes(10));
    private final AlertEvaluator evaluator = new AlertEvaluator(clock, STALE_AFTER, List.of());

    AlertEvaluatorTargetDownTest() {
        store.addListener(evaluator::onChange);
    }

    private void fail(Outcome outcome) {
        store.update("main", PollResult.Failure.of(outcome, "test"));
    }

    private void succeed() throws Exception {
        store.update("main", new PollResult.Success(ImportStatusParser.parse(
                "{\"state\":\"none\",\"success\":true}".getBytes(StandardCharsets.UTF_8)), new byte[0], OptionalLong.empty()));
    }

    private List<String> firing() {
        return evaluator.firing().stream().map(a -> a.name() + "/" + a.severity().label()).toList();
    }

    @Test
    void a_target_whose_next_poll_is_far_off_goes_down_on_the_timer_and_recovers_with_its_poll() throws Exception {
        succeed();
        fail(Outcome.RATE_LIMITED); // the next poll waits for a reset minutes away
        clock.advance(Duration.ofSeconds(6));
        assertEquals(List.of(), firing(), "no poll, no evaluation yet");

        evaluator.evaluateAll(store::all);
        assertEquals(List.of(Alert.TARGET_DOWN + "/warning"), firing());

        succeed();
        assertEquals(List.of(), firing());
    }

    @Test
    void the_timer_does_not_evaluate_a_target_before_its_first_poll() {
        clock.advance(Duration.ofMinutes(5));
        evaluator.evaluateAll(store::all);
        assertEquals(List.of(), firing());
    }

    @Test
    void a_failed_first_poll_is_not_yet_a_target_down() {
        fail(Outcome.TIMEOUT);
        assertEquals(List.of(), firing());
        clock.advance(Duration.ofSeconds(5));
        fail(Outcome.TIMEOUT);
        assertEquals(List.of(), firing(), "exactly stale_after is not longer than stale_after");
    }

    @Test
    void a_target_never_polled_successfully_is_down_once_stale_after_has_passed_since_the_first_poll() {
        fail(Outcome.CONNECTION_ERROR);
        clock.advance(Duration.ofSeconds(6));
        fail(Outcome.CONNECTION_ERROR);
        assertEquals(List.of(Alert.TARGET_DOWN + "/warning"), firing());
    }

    @Test
    void refused_credentials_are_critical_but_also_wait_for_stale_after() {
        fail(Outcome.UNAUTHORIZED);
        assertEquals(List.of(), firing());
        clock.advance(Duration.ofSeconds(6));
        fail(Outcome.UNAUTHORIZED);
        assertEquals(List.of(Alert.TARGET_DOWN + "/critical"), firing());
    }

    @Test
    void after_a_good_poll_it_counts_from_the_last_good_poll() throws Exception {
        succeed();
        clock.advance(Duration.ofSeconds(4));
        fail(Outcome.TIMEOUT);
        assertEquals(List.of(), firing());
        clock.advance(Duration.ofSeconds(2));
        fail(Outcome.TIMEOUT);
        assertEquals(List.of(Alert.TARGET_DOWN + "/warning"), firing());
        succeed();
        assertEquals(List.of(), firing());
    }
}
