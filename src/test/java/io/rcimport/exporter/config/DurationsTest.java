package io.rcimport.exporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({
            "1ms, 1",
            "500ms, 500",
            "15s, 15000",
            "2m, 120000",
            "1h, 3600000",
            "1h30m, 5400000",
            "1d, 86400000",
            "1w, 604800000",
            "1y, 31536000000",
            "1m30s, 90000",
            "1s500ms, 1500",
            "2d3h4m5s6ms, 183845006",
            "0s, 0",
            "90d, 7776000000",
            "0015s, 15000",
    })
    void valid_durations_parse_like_prometheus(String text, long millis) throws ConfigException {
        assertEquals(Duration.ofMillis(millis), Durations.parse("poll.interval", text));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @ValueSource(strings = {"15x", "", "s", "1.5s", "-1s", "1m1h", "1s1s", "15 s", " 15s", "15s ", "1M", "1H", "1mss",
            "PT15S", "15sec", "1h 30m", "ms", "1us", "1ns"})
    void invalid_durations_are_rejected_naming_the_key_and_giving_examples(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("poll.interval", text));
        assertEquals("poll.interval", e.key());
        assertTrue(e.getMessage().startsWith("poll.interval: "), e.getMessage());
        assertTrue(e.getMessage().contains("e.g. 500ms, 15s, 2m, 1h"), e.getMessage());
    }

    @Test
    void the_message_quotes_the_bad_text() {
        ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("poll.interval", "15x"));
        assertEquals("poll.interval: \"15x\" is not a duration (use e.g. 500ms, 15s, 2m, 1h)", e.getMessage());
    }

    @ParameterizedTest(name = "{0} asks for a unit")
    @ValueSource(strings = {"15", "0", "1.5", "-3"})
    void a_bare_number_is_an_error_that_asks_for_a_unit(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("retry.max_backoff", text));
        assertTrue(e.getMessage().startsWith("retry.max_backoff: " + text + " has no unit"), e.getMessage());
    }

    @Test
    void a_duration_too_large_for_a_long_of_milliseconds_is_an_error() {
        ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("poll.interval", "300000000y"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertThrows(ConfigException.class, () -> Durations.parse("poll.interval", "99999999999999999999ms"));
    }

    @ParameterizedTest(name = "{0} ms formats as {1}")
    @CsvSource({
            "0, 0s",
            "1, 1ms",
            "250, 250ms",
            "1000, 1s",
            "1500, 1s500ms",
            "15000, 15s",
            "60000, 1m",
            "90000, 1m30s",
            "3600000, 1h",
            "5400000, 1h30m",
            "86400000, 1d",
            "604800000, 1w",
            "1209600000, 2w",
            "691200000, 8d",
            "7776000000, 90d",
            "31536000000, 1y",
            "31622400000, 366d",
            "183845006, 2d3h4m5s6ms",
    })
    void format_gives_the_shortest_prometheus_form(long millis, String expected) {
        assertEquals(expected, Durations.format(Duration.ofMillis(millis)));
    }

    @Test
    void format_truncates_below_a_millisecond_and_signs_negative_durations() {
        assertEquals("1ms", Durations.format(Duration.ofNanos(1_999_999)));
        assertEquals("-1m30s", Durations.format(Duration.ofSeconds(-90)));
    }

    @ParameterizedTest(name = "{0} round-trips")
    @ValueSource(strings = {"500ms", "15s", "1m30s", "1h", "1d2h", "1w", "1y", "3w", "10d", "1d1ms"})
    void formatting_a_parsed_duration_gives_back_the_canonical_text(String text) throws ConfigException {
        assertEquals(text, Durations.format(Durations.parse("k", text)));
    }
}
