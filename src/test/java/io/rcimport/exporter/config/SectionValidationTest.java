package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.errorWithTarget;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Unknown keys, wrong types and the rules of server, poll, retry and circuit_breaker. */
class SectionValidationTest {

    private static void assertError(ConfigException e, String key, String... fragments) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
        }
    }

    // ---- unknown keys -----------------------------------------------------------------------

    @Test
    void a_misspelt_key_is_an_error_that_suggests_the_known_one() {
        ConfigException e = errorWithTarget("poll:\n  intervall: 15s\n");

        assertEquals("poll.intervall: unknown key (did you mean \"interval\"?)", e.getMessage());
        assertEquals("poll.intervall", e.key());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "'server:\n  prot: 1', server.prot, port",
            "'retry:\n  max_attempt: 2', retry.max_attempt, max_attempts",
            "'circuit_breaker:\n  windw: 3', circuit_breaker.windw, window",
            "'circuit_breaker:\n  open-for: 3s', circuit_breaker.open-for, open_for",
            "'alerting:\n  webhook: []', alerting.webhook, webhooks",
            "'alerting:\n  resend_intervals: 1m', alerting.resend_intervals, resend_interval",
            "'alerting:\n  externalurl: http://x', alerting.externalurl, external_url",
            "'poll:\n  Timeout: 1s', poll.Timeout, timeout",
            "'poll:\n  stael_after: 1m', poll.stael_after, stale_after",
            "'alertng:\n  resend_interval: 1m', alertng, alerting",
    })
    void misspelt_keys_in_every_section_get_a_suggestion(String yaml, String key, String suggestion) {
        assertError(errorWithTarget(yaml + "\n"), key, "unknown key (did you mean \"" + suggestion + "\"?)");
    }

    @Test
    void a_misspelt_targets_key_is_reported_as_a_typo_not_as_missing_targets() {
        ConfigException e = error("""
                target:
                  - name: main
                """);

        assertEquals("target: unknown key (did you mean \"targets\"?)", e.getMessage());
    }

    @Test
    void an_unknown_key_far_from_every_known_one_lists_the_known_keys() {
        assertError(errorWithTarget("poll:\n  frequency: 15s\n"), "poll.frequency",
                "unknown key (known keys: interval, timeout, stale_after, stall_after, awaiting_operator_after, history_interval)");
        assertError(error("metrics_path: /metrics\n" + ONE_TARGET), "metrics_path",
                "unknown key (known keys: server, poll, retry, circuit_breaker, targets, targets_file, shard, alerting, storage)");
    }

    // ---- structure --------------------------------------------------------------------------

    @Test
    void a_section_that_is_not_a_mapping_is_an_error() {
        assertError(errorWithTarget("poll: 15s\n"), "poll", "expected a mapping of keys, got a single value");
        assertError(errorWithTarget("server: [a]\n"), "server", "expected a mapping of keys, got a list");
    }

    @Test
    void a_mapping_where_a_value_is_expected_is_an_error() {
        assertError(errorWithTarget("poll:\n  interval: {s: 15}\n"), "poll.interval", "expected a duration, got a mapping");
        assertError(errorWithTarget("server:\n  port: [1]\n"), "server.port", "expected an integer, got a list");
    }

    // ---- server -----------------------------------------------------------------------------

    @Test
    void server_port_must_be_an_integer() {
        assertEquals("server.port: expected an integer between 0 and 65535, got \"abc\"",
                errorWithTarget("server:\n  port: abc\n").getMessage());
    }

    @ParameterizedTest(name = "port {0}")
    @ValueSource(strings = {"65536", "-1", "1.5", "9467.0", "0x24f3", "99999999999", "''"})
    void server_port_outside_0_to_65535_or_not_an_integer_is_an_error(String port) {
        assertError(errorWithTarget("server:\n  port: " + port + "\n"), "server.port", "expected an integer between 0 and 65535, got ");
    }

    @Test
    void server_port_accepts_the_extremes() throws ConfigException {
        assertEquals(0, parse("server:\n  port: 0\n" + ONE_TARGET).server().port()); // any free port
        assertEquals(1, parse("server:\n  port: 1\n" + ONE_TARGET).server().port());
        assertEquals(65535, parse("server:\n  port: 65535\n" + ONE_TARGET).server().port());
    }

    @Test
    void server_host_accepts_names_and_addresses() throws ConfigException {
        assertEquals("127.0.0.1", parse("server:\n  host: 127.0.0.1\n" + ONE_TARGET).server().host());
        assertEquals("::", parse("server:\n  host: '::'\n" + ONE_TARGET).server().host());
        assertEquals("localhost", parse("server:\n  host: localhost\n" + ONE_TARGET).server().host());
    }

    @Test
    void server_host_must_not_be_empty_or_a_url() {
        assertError(errorWithTarget("server:\n  host: ''\n"), "server.host", "must not be empty");
        assertError(errorWithTarget("server:\n  host: http://0.0.0.0\n"), "server.host", "expected a host name or IP address");
    }

    // ---- poll -------------------------------------------------------------------------------

    @Test
    void a_bad_duration_names_the_key_and_gives_examples() {
        assertEquals("poll.interval: \"15x\" is not a duration (use e.g. 500ms, 15s, 2m, 1h)",
                errorWithTarget("poll:\n  interval: 15x\n").getMessage());
    }

    @Test
    void a_bare_number_for_a_duration_is_an_error_that_asks_for_a_unit() {
        assertError(errorWithTarget("poll:\n  interval: 15\n"), "poll.interval", "15 has no unit");
        assertError(errorWithTarget("retry:\n  max_backoff: 2\n"), "retry.max_backoff", "2 has no unit");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"poll:\n  interval", "poll:\n  timeout", "poll:\n  stale_after", "poll:\n  stall_after",
            "retry:\n  initial_backoff", "retry:\n  max_backoff", "circuit_breaker:\n  open_for", "alerting:\n  resend_interval"})
    void every_duration_must_be_greater_than_zero(String key) {
        String path = key.replace(":\n  ", ".");
        assertError(errorWithTarget(key + ": 0s\n"), path, "must be greater than 0");
    }

    @Test
    void an_empty_duration_is_an_error_not_the_default() {
        assertError(errorWithTarget("poll:\n  interval:\n"), "poll.interval", "missing value");
    }

    @Test
    void poll_timeout_must_be_less_than_the_interval() {
        assertEquals("poll.timeout: must be less than poll.interval (15s (the default)), got 15s",
                errorWithTarget("poll:\n  timeout: 15s\n").getMessage());
        assertError(errorWithTarget("poll:\n  interval: 10s\n  timeout: 20s\n"), "poll.timeout",
                "must be less than poll.interval (10s), got 20s");
    }

    @Test
    void a_short_interval_with_the_default_timeout_says_the_timeout_is_the_default() {
        assertError(errorWithTarget("poll:\n  interval: 5s\n"), "poll.timeout",
                "must be less than poll.interval (5s), got 5s (the default)");
    }

    @Test
    void poll_stale_after_must_be_at_least_twice_the_interval() {
        assertError(errorWithTarget("poll:\n  interval: 30s\n  stale_after: 20s\n"), "poll.stale_after",
                "must be at least twice poll.interval (30s), got 20s");
        assertError(errorWithTarget("poll:\n  interval: 30s\n  stale_after: 59s\n"), "poll.stale_after",
                "must be at least twice poll.interval (30s), got 59s");
        assertError(errorWithTarget("poll:\n  interval: 45s\n"), "poll.stale_after", "got 1m (the default)");
    }

    @Test
    void poll_stale_after_may_be_exactly_twice_the_interval() throws ConfigException {
        assertEquals(Duration.ofSeconds(60), parse("poll:\n  interval: 30s\n  stale_after: 60s\n" + ONE_TARGET).poll().staleAfter());
    }

    @Test
    void combined_durations_are_accepted() throws ConfigException {
        assertEquals(Duration.ofMinutes(90), parse("poll:\n  stall_after: 1h30m\n" + ONE_TARGET).poll().stallAfter());
    }

    // ---- retry ------------------------------------------------------------------------------

    @ParameterizedTest(name = "max_attempts {0}")
    @ValueSource(strings = {"0", "11", "-1", "three"})
    void retry_max_attempts_must_be_1_to_10(String value) {
        assertError(errorWithTarget("retry:\n  max_attempts: " + value + "\n"), "retry.max_attempts",
                "expected an integer between 1 and 10, got ");
    }

    @Test
    void retry_initial_backoff_must_not_exceed_max_backoff() {
        assertError(errorWithTarget("retry:\n  initial_backoff: 5s\n"), "retry.initial_backoff",
                "must not exceed retry.max_backoff (2s (the default)), got 5s");
    }

    // ---- circuit_breaker --------------------------------------------------------------------

    @ParameterizedTest(name = "failure_rate_threshold {0}")
    @ValueSource(strings = {"0", "101", "50%", "0.5"})
    void failure_rate_threshold_must_be_a_percentage_from_1_to_100(String value) {
        assertError(errorWithTarget("circuit_breaker:\n  failure_rate_threshold: " + value + "\n"),
                "circuit_breaker.failure_rate_threshold", "expected an integer between 1 and 100, got ");
    }

    @Test
    void the_window_must_be_at_least_one_poll() {
        assertError(errorWithTarget("circuit_breaker:\n  window: 0\n  minimum_polls: 1\n"), "circuit_breaker.window",
                "expected an integer between 1 and " + ConfigLoader.MAX_WINDOW + ", got 0");
    }

    @Test
    void minimum_polls_must_be_between_1_and_the_window() {
        assertError(errorWithTarget("circuit_breaker:\n  minimum_polls: 0\n"), "circuit_breaker.minimum_polls",
                "expected an integer between 1 and");
        assertError(errorWithTarget("circuit_breaker:\n  minimum_polls: 11\n"), "circuit_breaker.minimum_polls",
                "must not exceed circuit_breaker.window (10 (the default)), got 11");
        assertError(errorWithTarget("circuit_breaker:\n  window: 3\n"), "circuit_breaker.minimum_polls",
                "must not exceed circuit_breaker.window (3), got 5 (the default)");
    }

    @Test
    void minimum_polls_may_equal_the_window() throws ConfigException {
        assertEquals(3, parse("circuit_breaker:\n  window: 3\n  minimum_polls: 3\n" + ONE_TARGET).circuitBreaker().minimumPolls());
    }
}
