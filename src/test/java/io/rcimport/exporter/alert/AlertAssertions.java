package io.rcimport.exporter.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** Assertions the alert-condition tests share. */
final class AlertAssertions {
    private AlertAssertions() {
    }

    static Alert only(List<Alert> alerts) {
        assertEquals(1, alerts.size(), () -> "expected exactly one alert, got " + alerts);
        return alerts.get(0);
    }

    static void assertMentions(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), () -> "\"" + part + "\" missing from: " + text);
        }
    }
}
