package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSummaryTest {

    private static String summary(String yaml) throws ConfigException {
        return ConfigSummary.describe(ConfigLoader.parse(yaml, Map.of()));
    }

    private static void assertContains(String text, String fragment) {
        assertTrue(text.contains(fragment), "expected \"" + fragment + "\" in:\n" + text);
    }

    @Test
    void the_defaults_read_as_a_short_summary() throws ConfigException {
        String expected = """
                server:             listen on 0.0.0.0:9467
                  tls:              off (plain http)
                  auth:             none
                  reload:           off
                poll:               every 15s, timeout 5s per attempt, stale after 1m, stalled after 10m without progress
                retry:              up to 3 attempts per poll, backoff 250ms up to 2s
                circuit breaker:    opens at 50% failed polls of the last 10 (after at least 5), stays open 1m
                targets:            1
                  main:             https://chat.example.com  auth: token (user_id=u1) auth_token=***
                alerting:
                  alertmanagers:    none
                  webhooks:         none
                  resend interval:  1m
                  external url:     not set
                  (alerts are evaluated and logged only)
                """;

        assertEquals(expected, summary(ONE_TARGET));
    }

    @Test
    void targets_show_name_url_and_the_kind_of_auth_without_secrets() throws ConfigException {
        String text = summary("""
                targets:
                  - {name: a, url: "https://a.example.com/", user_id: abc, auth_token: tok-a}
                  - {name: b, url: "http://b.example.com:3000", username: x, password: pw-b}
                """);

        assertContains(text, "a:");
        assertContains(text, "https://a.example.com  auth: token (user_id=abc) auth_token=***");
        assertContains(text, "http://b.example.com:3000  auth: password (username=x) password=***");
        assertContains(text, "targets:            2");
        assertFalse(text.contains("tok-a") || text.contains("pw-b"), text);
    }

    @Test
    void durations_are_printed_in_prometheus_form() throws ConfigException {
        String text = summary("""
                poll: {interval: 90s, timeout: 1500ms, stale_after: 2h, stall_after: 1d}
                retry: {max_attempts: 1, initial_backoff: 100ms, max_backoff: 1m30s}
                circuit_breaker: {open_for: 1w}
                """ + ONE_TARGET);

        assertContains(text, "every 1m30s, timeout 1s500ms per attempt, stale after 2h, stalled after 1d");
        assertContains(text, "up to 1 attempt per poll, backoff 100ms up to 1m30s");
        assertContains(text, "stays open 1w");
    }

    @Test
    void alerting_shows_alertmanagers_and_webhooks_with_header_names_only() throws ConfigException {
        String text = summary("""
                alerting:
                  alertmanagers:
                    - url: http://am1:9093
                    - url: http://am2:9093
                  resend_interval: 5m
                  webhooks:
                    - url: https://chat.example.com/hooks/abc/tokentoken
                      format: rocketchat
                    - url: https://hooks.example.com/?key=kkk
                      headers: {X-Team: imports, Authorization: Bearer bbb}
                    - url: https://plain.example.com
                  external_url: https://exporter.example.com
                """ + ONE_TARGET);

        assertContains(text, "  alertmanager:     http://am1:9093\n  alertmanager:     http://am2:9093\n");
        assertContains(text, "  webhook:          https://chat.example.com/***  format: rocketchat\n");
        assertContains(text, "  webhook:          https://hooks.example.com/?***  format: json  headers: Authorization, X-Team\n");
        assertContains(text, "  webhook:          https://plain.example.com  format: json\n");
        assertContains(text, "resend interval:  5m");
        assertContains(text, "external url:     https://exporter.example.com");
        assertFalse(text.contains("tokentoken") || text.contains("kkk") || text.contains("bbb") || text.contains("imports"), text);
        assertFalse(text.contains("logged only"), text);
    }
}
