package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
                  awaiting admin:   after 30m unchanged at a step that waits for one
                  history:          recent operations every 5m
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
                storage:            none (memory only)
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
        assertContains(text, "  webhook:          https://chat.example.com/***  format: rocketchat  max_per_minute: 10\n");
        assertContains(text, "  webhook:          https://hooks.example.com/?***  format: json  max_per_minute: unlimited  headers: Authorization, X-Team\n");
        assertContains(text, "  webhook:          https://plain.example.com  format: json  max_per_minute: unlimited\n");
        assertContains(text, "resend interval:  5m");
        assertContains(text, "external url:     https://exporter.example.com");
        assertFalse(text.contains("tokentoken") || text.contains("kkk") || text.contains("bbb") || text.contains("imports"), text);
        assertFalse(text.contains("logged only"), text);
    }

    @Test
    void server_tls_auth_and_reload_are_shown_without_hashes_or_tokens() throws ConfigException {
        String text = summary("""
                server:
                  tls:
                    cert_file: src/test/resources/tls/server-cert.pem
                    key_file: src/test/resources/tls/server-key.pem
                  basic_auth_users:
                    zoe: $2y$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy
                    alice: $2b$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy
                  bearer_tokens: [token-one, token-two]
                  enable_reload: true
                """ + ONE_TARGET);

        Path tls = ServerConfigTest.TLS;
        assertContains(text, "  tls:              cert " + tls.resolve("server-cert.pem") + ", key " + tls.resolve("server-key.pem") + "\n");
        assertContains(text, "  auth:             basic: alice=***, zoe=***; bearer tokens: ***, ***\n");
        assertContains(text, "  reload:           on (POST /-/reload)\n");
        assertFalse(text.contains("3nCfs95k") || text.contains("token-one") || text.contains("token-two"), text);
        assertFalse(text.contains("clear text"), text);
    }

    @Test
    void auth_without_tls_carries_a_warning() throws ConfigException {
        String text = summary("server:\n  bearer_tokens: [abc]\n" + ONE_TARGET);

        assertContains(text, "  auth:             bearer tokens: ***\n  (without tls, passwords and tokens cross the network in clear text)\n");
    }

    @Test
    void a_shard_shows_its_place_and_how_many_targets_it_owns() throws ConfigException {
        // Of 3: main -> 1, staging -> 2, a -> 1 (see ShardTest).
        String text = summary("""
                shard: {index: 1, count: 3}
                targets:
                  - {name: main, url: "https://a.example.com", user_id: u, auth_token: t}
                  - {name: staging, url: "https://b.example.com", user_id: u, auth_token: t}
                  - {name: a, url: "https://c.example.com", user_id: u, auth_token: t}
                """);

        assertContains(text, "targets:            3\n  shard:            1 of 3 (indexes 0..2): owns 2 of 3 targets\n");
        assertContains(text, "  main:             https://a.example.com  auth: token (user_id=u) auth_token=***\n");
        assertContains(text, "  staging:          https://b.example.com  auth: token (user_id=u) auth_token=***  (not polled here: shard 2)\n");
        assertContains(text, "  a:                https://c.example.com  auth: token (user_id=u) auth_token=***\n");
        assertFalse(text.contains("a:                https://c.example.com  auth: token (user_id=u) auth_token=***  (not"), text);
    }

    @Test
    void an_unsharded_agent_has_no_shard_line() throws ConfigException {
        assertFalse(summary(ONE_TARGET).contains("shard"));
    }

    @Test
    void the_targets_file_and_target_tls_settings_are_shown(@TempDir Path dir) throws Exception {
        Files.copy(ServerConfigTest.TLS.resolve("ca-cert.pem"), dir.resolve("ca.pem"));
        Files.writeString(dir.resolve("fleet.yaml"), """
                - {name: eu, url: "https://eu.example.com", user_id: u, auth_token: t, tls: {ca_file: ca.pem}}
                - {name: lab, url: "https://lab.example.com", user_id: u, auth_token: t, tls: {insecure_skip_verify: true}}
                """);
        Path config = Files.writeString(dir.resolve("config.yaml"), "targets_file: fleet.yaml\n" + ONE_TARGET);

        String text = ConfigSummary.describe(ConfigLoader.load(config, Map.of()));

        assertContains(text, "targets:            3\n  targets file:     " + dir.resolve("fleet.yaml") + "\n");
        assertContains(text, "  eu:               https://eu.example.com  auth: token (user_id=u) auth_token=***  tls: ca_file " + dir.resolve("ca.pem") + "\n");
        assertContains(text, "  lab:              https://lab.example.com  auth: token (user_id=u) auth_token=***  tls: insecure_skip_verify (certificate NOT checked)\n");
    }
}
