package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static io.rcimport.exporter.config.ConfigTesting.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code targets[].labels}: validated names, string values, in config.yaml and in the targets file. */
class TargetLabelsConfigTest {
    private static final String TOKEN = "    user_id: u1\n    auth_token: t1\n";

    private static void assertError(ConfigException e, String key, String fragment) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
    }

    @Test
    void labels_are_read_in_order_with_env_expansion_and_default_to_none() throws ConfigException {
        Config config = parse(target(TOKEN + "    labels:\n      team: payments\n      env: ${ENV}\n      tier: 1\n"),
                Map.of("ENV", "prod"));
        Map<String, String> labels = config.targets().get(0).labels();
        assertEquals(Map.of("team", "payments", "env", "prod", "tier", "1"), labels);
        assertEquals(List.of("team", "env", "tier"), List.copyOf(labels.keySet()));
        assertEquals(Map.of(), parse(target(TOKEN)).targets().get(0).labels());
        assertEquals(Map.of(), parse(target(TOKEN + "    labels: {}\n")).targets().get(0).labels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"__x", "__meta_team"})
    void names_starting_with_two_underscores_are_refused(String name) {
        assertError(error(target(TOKEN + "    labels:\n      " + name + ": a\n")), "targets[0].labels." + name, "reserved for Prometheus");
    }

    @ParameterizedTest
    @ValueSource(strings = {"target", "job", "instance", "alertname", "severity", "operation_id"})
    void names_the_agent_or_prometheus_sets_are_refused(String name) {
        assertError(error(target(TOKEN + "    labels:\n      " + name + ": a\n")), "targets[0].labels." + name, "sets this label itself");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1team", "team-name", "\"te am\"", "\"é\""})
    void invalid_names_are_refused(String name) {
        ConfigException e = error(target(TOKEN + "    labels:\n      " + name + ": a\n"));
        assertTrue(e.key().startsWith("targets[0].labels."), e.getMessage());
        assertTrue(e.getMessage().contains("not a valid label name"), e.getMessage());
    }

    @Test
    void values_must_be_non_empty_strings() {
        assertError(error(target(TOKEN + "    labels:\n      team: [a, b]\n")), "targets[0].labels.team", "expected a string");
        assertError(error(target(TOKEN + "    labels:\n      team: {a: b}\n")), "targets[0].labels.team", "expected a string");
        assertError(error(target(TOKEN + "    labels:\n      team: \"\"\n")), "targets[0].labels.team", "must not be empty");
    }

    @Test
    void labels_must_be_a_mapping() {
        assertError(error(target(TOKEN + "    labels: [team]\n")), "targets[0].labels", "expected a mapping");
    }

    @Test
    void the_targets_file_has_labels_too(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fleet.yaml"), """
                - name: eu
                  url: https://eu.example.com
                  user_id: u
                  auth_token: t
                  labels: {team: payments}
                - name: us
                  url: https://us.example.com
                  user_id: u
                  auth_token: t
                  labels: {__bad: x}
                """);
        Path config = Files.writeString(dir.resolve("config.yaml"), "targets_file: fleet.yaml\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config, Map.of()));
        assertTrue(e.key().endsWith("targets[1].labels.__bad"), e.getMessage());

        Files.writeString(dir.resolve("fleet.yaml"), "- {name: eu, url: \"https://eu.example.com\", user_id: u, auth_token: t, "
                + "labels: {team: payments}}\n");
        assertEquals(Map.of("team", "payments"), ConfigLoader.load(config, Map.of()).targets().get(0).labels());
    }

    @Test
    void a_change_of_labels_alone_keeps_the_target_running_and_is_applied() throws ConfigException {
        Config running = parse(target(TOKEN + "    labels: {team: a}\n"));
        Config next = parse(target(TOKEN + "    labels: {team: b, env: prod}\n"));

        ConfigChange change = ConfigChange.between(running, next);

        assertEquals(List.of("main"), change.kept());
        assertEquals(List.of(), change.stopped());
        assertEquals(List.of(), change.started());
        assertEquals(Map.of("team", "b", "env", "prod"), change.applied().targets().get(0).labels());
    }
}
