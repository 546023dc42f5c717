package io.rcimport.exporter.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the poll log writes for runs of polls: lines per change, never per poll. */
class PollLogTest {
    private final TestClock clock = TestClock.at("2026-05-02T09:00:00Z");
    private final StatusStore store = new StatusStore(List.of("main"), clock, Duration.ofMinutes(10));
    private LogCapture logs;
    private int mark;

    @BeforeEach
    void setUp() {
        store.addListener(new PollLog(clock)::onChange);
        logs = LogCapture.start(false);
        mark = logs.mark();
    }

    @AfterEach
    void tearDown() {
        logs.close();
    }

    private void poll(Outcome outcome) {
        clock.advance(Duration.ofSeconds(15));
        store.update("main", outcome == Outcome.SUCCESS
                ? new PollResult.Success(ImportStatus.NONE, "{\"state\":\"none\",\"success\":true}".getBytes(StandardCharsets.UTF_8),
                        OptionalLong.empty())
                : PollResult.Failure.of(outcome, "because"));
    }

    /** The event and outcome of every poll line, e.g. {@code poll_failed server_error}. */
    private List<String> lines() {
        return logs.linesSince(mark).stream()
                .filter(l -> l.contains("target=main "))
                .map(l -> l.replaceAll(".*event=(\\S+) outcome=(\\S+).*", "$1 $2"))
                .toList();
    }

    @Test
    void a_persistent_failure_is_logged_once_not_once_per_poll() {
        poll(Outcome.SUCCESS);
        for (int i = 0; i < 20; i++) {
            poll(Outcome.NOT_FOUND);
        }
        poll(Outcome.SUCCESS);

        assertEquals(List.of("first_poll success", "poll_failed not_found", "recovered success"), lines());
    }

    @Test
    void the_breaker_opening_and_its_probes_failing_again_are_one_fault_logged_in_two_lines() {
        poll(Outcome.SUCCESS);
        for (int cycle = 0; cycle < 10; cycle++) {
            poll(Outcome.SERVER_ERROR); // a probe (or, first, the polls that open the breaker)
            poll(Outcome.CIRCUIT_OPEN);
            poll(Outcome.CIRCUIT_OPEN);
        }
        poll(Outcome.SUCCESS);

        assertEquals(List.of("first_poll success", "poll_failed server_error", "poll_failed circuit_open", "recovered success"),
                lines());
    }

    @Test
    void a_different_cause_behind_an_open_breaker_is_logged() {
        poll(Outcome.SUCCESS);
        poll(Outcome.SERVER_ERROR);
        poll(Outcome.CIRCUIT_OPEN);
        poll(Outcome.TIMEOUT); // the probe fails differently
        poll(Outcome.CIRCUIT_OPEN);
        poll(Outcome.TIMEOUT);

        assertEquals(List.of("first_poll success", "poll_failed server_error", "poll_failed circuit_open", "poll_failed timeout"),
                lines());
    }

    @Test
    void a_new_run_of_failures_after_a_good_poll_is_logged_afresh() {
        poll(Outcome.SERVER_ERROR);
        poll(Outcome.CIRCUIT_OPEN);
        poll(Outcome.SUCCESS);
        poll(Outcome.SERVER_ERROR);
        poll(Outcome.CIRCUIT_OPEN);

        assertEquals(List.of("poll_failed server_error", "poll_failed circuit_open", "recovered success",
                "poll_failed server_error", "poll_failed circuit_open"), lines());
    }

    @Test
    void a_persistent_failure_is_recalled_every_ten_minutes() {
        poll(Outcome.SUCCESS);
        for (int i = 0; i < 4 * 11; i++) { // 11 minutes at 15 s
            poll(Outcome.UNAUTHORIZED);
        }

        assertEquals(List.of("first_poll success", "poll_failed unauthorized", "still_failing unauthorized"), lines());
    }
}
