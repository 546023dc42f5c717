package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.errorWithTarget;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code poll.awaiting_operator_after} and {@code poll.history_interval}. */
class PollKeysTest {

    @Test
    void both_have_defaults() throws ConfigException {
        Config.Poll poll = parse(ONE_TARGET).poll();
        assertEquals(Duration.ofMinutes(30), poll.awaitingOperatorAfter());
        assertEquals(Duration.ofMinutes(5), poll.historyInterval());
    }

    @Test
    void both_take_prometheus_durations() throws ConfigException {
        Config.Poll poll = parse("poll:\n  awaiting_operator_after: 1h30m\n  history_interval: 15m\n" + ONE_TARGET).poll();
        assertEquals(Duration.ofMinutes(90), poll.awaitingOperatorAfter());
        assertEquals(Duration.ofMinutes(15), poll.historyInterval());
    }

    @Test
    void a_zero_history_interval_turns_the_history_off() throws ConfigException {
        assertEquals(Duration.ZERO, parse("poll:\n  history_interval: 0s\n" + ONE_TARGET).poll().historyInterval());
    }

    @Test
    void a_history_interval_shorter_than_the_poll_interval_is_refused_naming_the_key() {
        assertEquals("poll.history_interval: must be 0 (off) or at least poll.interval (15s (the default)), got 5s",
                errorWithTarget("poll:\n  history_interval: 5s\n").getMessage());
    }

    @Test
    void a_zero_awaiting_operator_after_is_refused_naming_the_key() {
        assertEquals("poll.awaiting_operator_after: must be greater than 0",
                errorWithTarget("poll:\n  awaiting_operator_after: 0s\n").getMessage());
    }

    @Test
    void a_bare_number_is_refused_naming_the_key() {
        String message = errorWithTarget("poll:\n  history_interval: 300\n").getMessage();
        assertEquals(true, message.startsWith("poll.history_interval: "), message);
    }
}
