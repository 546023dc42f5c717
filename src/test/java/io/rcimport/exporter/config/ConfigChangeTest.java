package io.rcimport.exporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigChangeTest {
    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, Map.of());
    }

    private static String target(String name, String url, String token) {
        return "  - {name: " + name + ", url: \"" + url + "\", user_id: u, auth_token: " + token + "}\n";
    }

    @Test
    void added_removed_changed_and_kept_targets_are_told_apart() throws ConfigException {
        Config running = parse("targets:\n" + target("keep", "http://a", "t") + target("drop", "http://b", "t")
                + target("move", "http://c", "t"));
        Config next = parse("targets:\n" + target("keep", "http://a", "t") + target("move", "http://c2", "t")
                + target("new", "http://d", "t"));

        ConfigChange change = ConfigChange.between(running, next);

        assertEquals(List.of("keep"), change.kept());
        assertEquals(List.of("drop", "move"), change.stopped());
        assertEquals(List.of("move", "new"), change.started().stream().map(Config.Target::name).toList());
        assertEquals(List.of("keep", "move", "new"), change.targetNames());
        assertEquals("targets: 3 (2 started, 2 stopped, of which changed 1)", change.summary());
    }

    @Test
    void a_new_token_restarts_the_target_because_its_credentials_changed() throws ConfigException {
        ConfigChange change = ConfigChange.between(parse("targets:\n" + target("a", "http://a", "old")),
                parse("targets:\n" + target("a", "http://a", "new")));
        assertEquals(List.of("a"), change.stopped());
        assertEquals(List.of("a"), change.started().stream().map(Config.Target::name).toList());
    }

    @Test
    void other_sections_are_reported_as_needing_a_restart_and_are_not_applied() throws ConfigException {
        Config running = parse("targets:\n" + target("a", "http://a", "t"));
        Config next = parse("poll: {interval: 30s, stale_after: 2m}\nserver: {port: 9999}\nalerting: {resend_interval: 5m}\n"
                + "targets:\n" + target("a", "http://a", "t"));

        ConfigChange change = ConfigChange.between(running, next);

        assertEquals(List.of("server", "poll", "alerting"), change.needRestart());
        assertEquals(Duration.ofSeconds(15), change.applied().poll().interval());
        assertEquals(9467, change.applied().server().port());
        assertEquals(List.of("a"), change.kept());
        assertTrue(change.summary().endsWith("changes to server, poll, alerting need a restart (not applied)"), change.summary());
    }

    @Test
    void a_new_shard_moves_targets_in_and_out() throws ConfigException {
        String targets = "targets:\n" + target("main", "http://a", "t") + target("staging", "http://b", "t");
        // Of 2 shards: main -> 1, staging -> 0 (see ShardTest).
        Config shard0 = parse("shard: {index: 0, count: 2}\n" + targets);
        Config shard1 = parse("shard: {index: 1, count: 2}\n" + targets);

        ConfigChange change = ConfigChange.between(shard0, shard1);

        assertEquals(List.of("staging"), change.stopped());
        assertEquals(List.of("main"), change.started().stream().map(Config.Target::name).toList());
        assertEquals(new Config.Shard(1, 2), change.applied().shard());
    }
}
