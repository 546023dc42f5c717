package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.config.Config.Alerting;
import io.rcimport.exporter.config.Config.Alertmanager;
import io.rcimport.exporter.config.Config.CircuitBreaker;
import io.rcimport.exporter.config.Config.Poll;
import io.rcimport.exporter.config.Config.Retry;
import io.rcimport.exporter.config.Config.Server;
import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TokenAuth;
import io.rcimport.exporter.config.Config.Webhook;
import io.rcimport.exporter.config.Config.WebhookFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    /** The config.yaml example of DESIGN.md, verbatim. */
    static final String DESIGN_EXAMPLE = """
            server:
              host: 0.0.0.0
              port: 9467                 # any free default in the exporter range; not 9458 (Rocket.Chat's own)
            poll:
              interval: 15s              # Prometheus-style durations: 500ms, 15s, 2m, 1h
              timeout: 5s                # per HTTP attempt
              stale_after: 1m            # no good poll for this long -> data series are dropped
              stall_after: 10m           # loading/importing and operation._updatedAt unchanged this long -> stalled
            retry:
              max_attempts: 3            # attempts within one poll, first included
              initial_backoff: 250ms
              max_backoff: 2s
            circuit_breaker:
              failure_rate_threshold: 50 # percent
              window: 10                 # polls
              minimum_polls: 5
              open_for: 1m
            targets:
              - name: main               # the `target` label; [a-zA-Z0-9_-]+, unique
                url: https://chat.example.com
                user_id: ${RC_USER_ID}   # X-User-Id
                auth_token: ${RC_AUTH_TOKEN}  # X-Auth-Token (a personal access token)
                # or: username: ... / password: ${RC_PASSWORD}  -> log in once, reuse the token
            alerting:
              alertmanagers:
                - url: http://localhost:9093
              resend_interval: 1m
              webhooks:
                - url: https://chat.example.com/hooks/abc   # e.g. a Rocket.Chat incoming webhook
                  format: rocketchat                        # or: json
            """;

    static final Map<String, String> RC_ENV = Map.of("RC_USER_ID", "aobEdbYhXfu5hkeqG", "RC_AUTH_TOKEN", "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq");

    private static final Target MAIN = new Target("main", URI.create("https://chat.example.com"),
            new TokenAuth("aobEdbYhXfu5hkeqG", Secret.of("9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq")));

    @Test
    void the_design_example_parses_to_the_expected_records() throws ConfigException {
        Config expected = new Config(
                new Server("0.0.0.0", 9467),
                new Poll(Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(10)),
                new Retry(3, Duration.ofMillis(250), Duration.ofSeconds(2)),
                new CircuitBreaker(50, 10, 5, Duration.ofMinutes(1)),
                List.of(MAIN),
                new Alerting(
                        List.of(new Alertmanager(URI.create("http://localhost:9093"))),
                        Duration.ofMinutes(1),
                        List.of(new Webhook(URI.create("https://chat.example.com/hooks/abc"), WebhookFormat.ROCKETCHAT, Map.of())),
                        Optional.empty()));

        assertEquals(expected, parse(DESIGN_EXAMPLE, RC_ENV));
    }

    @Test
    void the_design_example_spells_out_the_defaults() throws ConfigException {
        Config config = parse(DESIGN_EXAMPLE, RC_ENV);

        assertEquals(Server.defaults(), config.server());
        assertEquals(Poll.defaults(), config.poll());
        assertEquals(Retry.defaults(), config.retry());
        assertEquals(CircuitBreaker.defaults(), config.circuitBreaker());
    }

    @Test
    void a_config_with_only_targets_gets_every_default() throws ConfigException {
        Config config = parse(ONE_TARGET);

        assertEquals(Server.defaults(), config.server());
        assertEquals(Poll.defaults(), config.poll());
        assertEquals(Retry.defaults(), config.retry());
        assertEquals(CircuitBreaker.defaults(), config.circuitBreaker());
        assertEquals(Alerting.defaults(), config.alerting());
        assertEquals(new Server("0.0.0.0", 9467), config.server());
    }

    @Test
    void a_partial_section_keeps_the_defaults_of_the_keys_it_leaves_out() throws ConfigException {
        Config config = parse("""
                server:
                  port: 9999
                poll:
                  interval: 30s
                retry:
                  max_attempts: 5
                circuit_breaker:
                  open_for: 5m
                alerting:
                  resend_interval: 2m
                """ + ONE_TARGET);

        assertEquals(new Server("0.0.0.0", 9999), config.server());
        assertEquals(new Poll(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(10)), config.poll());
        assertEquals(new Retry(5, Duration.ofMillis(250), Duration.ofSeconds(2)), config.retry());
        assertEquals(new CircuitBreaker(50, 10, 5, Duration.ofMinutes(5)), config.circuitBreaker());
        assertEquals(new Alerting(List.of(), Duration.ofMinutes(2), List.of(), Optional.empty()), config.alerting());
    }

    @Test
    void an_empty_section_means_all_its_defaults() throws ConfigException {
        Config config = parse("""
                server:
                poll: {}
                retry: ~
                alerting:
                  alertmanagers:
                  webhooks: []
                """ + ONE_TARGET);

        assertEquals(Server.defaults(), config.server());
        assertEquals(Poll.defaults(), config.poll());
        assertEquals(Retry.defaults(), config.retry());
        assertEquals(Alerting.defaults(), config.alerting());
    }

    @Test
    void every_key_can_be_set() throws ConfigException {
        Config config = parse("""
                server: {host: 127.0.0.1, port: 8080}
                poll: {interval: 1m, timeout: 10s, stale_after: 5m, stall_after: 1h}
                retry: {max_attempts: 1, initial_backoff: 1s, max_backoff: 1s}
                circuit_breaker: {failure_rate_threshold: 100, window: 1, minimum_polls: 1, open_for: 30s}
                alerting:
                  alertmanagers: [{url: "http://am1:9093/"}, {url: "http://am2:9093/prefix"}]
                  resend_interval: 5m
                  webhooks:
                    - url: https://hooks.example.com/x?token=abc
                      headers: {Authorization: Bearer xyz}
                  external_url: https://exporter.example.com/
                """ + ONE_TARGET);

        assertEquals(new Server("127.0.0.1", 8080), config.server());
        assertEquals(new Poll(Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofHours(1)), config.poll());
        assertEquals(new Retry(1, Duration.ofSeconds(1), Duration.ofSeconds(1)), config.retry());
        assertEquals(new CircuitBreaker(100, 1, 1, Duration.ofSeconds(30)), config.circuitBreaker());
        assertEquals(new Alerting(
                List.of(new Alertmanager(URI.create("http://am1:9093")), new Alertmanager(URI.create("http://am2:9093/prefix"))),
                Duration.ofMinutes(5),
                List.of(new Webhook(URI.create("https://hooks.example.com/x?token=abc"), WebhookFormat.JSON,
                        Map.of("Authorization", Secret.of("Bearer xyz")))),
                Optional.of(URI.create("https://exporter.example.com"))), config.alerting());
    }

    @Test
    void the_example_config_yaml_at_the_project_root_works_as_is_with_the_two_variables_set() throws Exception {
        Config config = ConfigLoader.load(Path.of("config.yaml"), RC_ENV);

        assertEquals(new Config(Server.defaults(), Poll.defaults(), Retry.defaults(), CircuitBreaker.defaults(),
                List.of(MAIN), Alerting.defaults()), config);
    }

    @Test
    void the_example_config_yaml_names_the_missing_variable_when_it_is_not_set() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Path.of("config.yaml"), Map.of("RC_USER_ID", "u")));

        assertEquals("targets[0].auth_token: environment variable RC_AUTH_TOKEN is not set", e.getMessage());
    }

    @Test
    void load_reads_a_file(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, ONE_TARGET);

        assertEquals("main", ConfigLoader.load(file, Map.of()).targets().get(0).name());
    }

    @Test
    void a_missing_file_is_a_config_error_naming_the_file(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertEquals("", e.key());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void a_directory_is_not_a_config_file(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, Map.of()));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    @Test
    void a_file_that_is_not_utf8_is_a_config_error(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, (ONE_TARGET + "# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void an_empty_file_is_an_error_about_the_whole_file() {
        for (String empty : List.of("", "\n\n", "# only a comment\n", "---\n", "~\n")) {
            ConfigException e = error(empty);
            assertEquals("", e.key());
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
        }
    }

    @Test
    void a_top_level_list_or_scalar_is_an_error_about_the_whole_file() {
        ConfigException list = error("- name: main\n");
        assertEquals("", list.key());
        assertTrue(list.getMessage().contains("expected a mapping of keys at the top level"), list.getMessage());
        assertTrue(list.getMessage().contains("got a list"), list.getMessage());

        ConfigException scalar = error("hello\n");
        assertEquals("", scalar.key());
        assertTrue(scalar.getMessage().contains("got a single value"), scalar.getMessage());
    }

    @Test
    void a_yaml_syntax_error_gives_line_and_column() {
        ConfigException e = error("""
                server:
                  port: 9467
                poll: [15s
                """);

        assertEquals("", e.key());
        assertTrue(e.getMessage().startsWith("YAML syntax error at line "), e.getMessage());
        assertTrue(e.getMessage().contains("column"), e.getMessage());
    }

    @Test
    void a_tab_used_for_indentation_is_a_syntax_error_at_its_line() {
        ConfigException e = error("server:\n\tport: 9467\n");

        assertTrue(e.getMessage().startsWith("YAML syntax error at line 2, column 1"), e.getMessage());
    }

    @Test
    void a_duplicate_key_is_an_error_not_a_silent_override() {
        ConfigException e = error("""
                poll:
                  interval: 15s
                  interval: 30s
                """ + ONE_TARGET);

        assertEquals("", e.key());
        assertTrue(e.getMessage().startsWith("duplicate key \"interval\" at line 3"), e.getMessage());
    }

    @Test
    void a_second_yaml_document_is_an_error_not_silently_ignored() {
        ConfigException e = error(ONE_TARGET + "---\nalerting:\n  resend_interval: 1m\n");

        assertEquals("", e.key());
        assertTrue(e.getMessage().contains("more than one YAML document"), e.getMessage());
    }

    @Test
    void yaml_aliases_are_rejected_because_they_would_not_be_resolved() {
        ConfigException e = error("""
                poll:
                  interval: &i 30s
                  stale_after: *i
                """ + ONE_TARGET);

        assertTrue(e.getMessage().contains("aliases"), e.getMessage());
    }

    @Test
    void scalars_are_read_exactly_as_written_without_yaml_1_1_typing() throws ConfigException {
        Config config = ConfigLoader.parse("""
                targets:
                  - name: "007"
                    url: https://chat.example.com
                    username: yes
                    password: 0123
                """, Map.of());

        Target target = config.targets().get(0);
        assertEquals("007", target.name());
        assertEquals(new Config.PasswordAuth("yes", Secret.of("0123")), target.auth());
    }

    @Test
    void quoted_numbers_are_accepted_where_integers_are_expected() throws ConfigException {
        assertEquals(9999, parse("server:\n  port: \"9999\"\n" + ONE_TARGET).server().port());
    }
}
