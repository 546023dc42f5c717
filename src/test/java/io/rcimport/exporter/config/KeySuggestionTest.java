package io.rcimport.exporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeySuggestionTest {
    private static final List<String> POLL_KEYS = List.of("interval", "timeout", "stale_after", "stall_after");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "intervall, interval",
            "interva, interval",
            "intreval, interval",
            "Interval, interval",
            "INTERVAL, interval",
            "time_out, timeout",
            "stale-after, stale_after",
            "stall_afer, stall_after",
    })
    void a_key_within_two_edits_is_suggested(String unknown, String suggestion) {
        assertEquals(Optional.of(suggestion), KeySuggestion.closest(unknown, POLL_KEYS));
    }

    @Test
    void a_key_more_than_two_edits_away_gets_no_suggestion() {
        assertEquals(Optional.empty(), KeySuggestion.closest("frequency", POLL_KEYS));
        assertEquals(Optional.empty(), KeySuggestion.closest("intvl", POLL_KEYS));
    }

    @Test
    void the_closest_key_wins_over_an_earlier_one() {
        // "stale_afte" is 1 from stale_after and 2 from stall_after.
        assertEquals(Optional.of("stall_after"), KeySuggestion.closest("stall_afte", POLL_KEYS));
        assertEquals(Optional.of("stale_after"), KeySuggestion.closest("stale_afte", POLL_KEYS));
    }

    @Test
    void the_distance_counts_an_adjacent_swap_as_one_edit() {
        assertEquals(1, KeySuggestion.distance("ab", "ba"));
        assertEquals(2, KeySuggestion.distance("abc", "cba"));
        assertEquals(3, KeySuggestion.distance("", "abc"));
        assertEquals(0, KeySuggestion.distance("url", "url"));
    }
}
