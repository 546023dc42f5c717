package io.rcimport.exporter.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The digest text: one line per event, every target named, never over Rocket.Chat's 5000 characters. */
class DigestTest {

    private static List<ImportEvent> events(int n, String prefix) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> WebhookBurstTest.failed(prefix + i)).toList();
    }

    @Test
    void thirty_events_fit_one_line_each() {
        String text = Digest.text(events(30, "site-"), 10);

        String[] lines = text.split("\n");
        assertEquals(31, lines.length, text);
        assertEquals(":bell: *30 import events* on 30 targets (sent together: this webhook takes 10 posts a minute):", lines[0]);
        assertEquals(EventJson.line(WebhookBurstTest.failed("site-1")), lines[1]);
        assertTrue(text.length() <= Digest.MAX_TEXT);
    }

    @Test
    void what_does_not_fit_in_5000_characters_is_summarised_by_count_with_the_targets_named() {
        List<ImportEvent> events = events(200, "t");
        String text = Digest.text(events, 10);

        assertTrue(text.length() <= Digest.MAX_TEXT, text.length() + " characters");
        String[] lines = text.split("\n");
        int shown = lines.length - 2;
        String last = lines[lines.length - 1];
        assertTrue(shown > 30, shown + " lines");
        assertTrue(last.startsWith("…and " + (200 - shown) + " more events on " + (200 - shown) + " targets: t" + (shown + 1) + ", "), last);
        // short names: all fit
        for (int i = shown + 1; i <= 200; i++) {
            assertTrue(last.contains("t" + i), "t" + i + " in " + last);
        }
    }

    @Test
    void when_even_the_names_do_not_fit_the_rest_of_the_targets_are_counted() {
        String longName = "x".repeat(120);
        List<ImportEvent> events = IntStream.rangeClosed(1, 120).mapToObj(i -> WebhookBurstTest.failed(longName + i)).toList();
        String text = Digest.text(events, 10);

        assertTrue(text.length() <= Digest.MAX_TEXT, text.length() + " characters");
        String last = text.substring(text.lastIndexOf('\n') + 1);
        assertTrue(last.matches("…and \\d+ more events on \\d+ targets: x+\\d+(, x+\\d+)* and \\d+ more"), last);
    }

    @Test
    void a_json_digest_counts_its_events() {
        var digest = Digest.json(events(3, "a"));

        assertEquals("digest", digest.path("kind").asText());
        assertEquals(3, digest.path("count").asInt());
        assertEquals(List.of("a1", "a2", "a3"), digest.path("events").findValuesAsText("target"));
    }
}
