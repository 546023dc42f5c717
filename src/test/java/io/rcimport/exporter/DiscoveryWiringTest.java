package io.rcimport.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.TestConfigs;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent's {@code /sd} and {@code /status}: only the targets of its shard, with their configured labels. */
class DiscoveryWiringTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void sd_lists_the_owned_targets_with_their_labels() throws Exception {
        StringBuilder yaml = new StringBuilder("shard: {index: 0, count: 2}\ntargets:\n");
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            yaml.append("  - {name: ").append(name).append(", url: \"http://127.0.0.1:1\", user_id: u, auth_token: t, ")
                    .append("labels: {team: team-").append(name).append("}}\n");
        }
        Config parsed = ConfigLoader.parse(yaml.toString(), Map.of());
        List<String> owned = parsed.ownedTargets().stream().map(Config.Target::name).toList();
        assertTrue(!owned.isEmpty() && owned.size() < 6, "the shard owns some targets: " + owned);
        agent = Agent.start(TestConfigs.from(parsed).listenOn("127.0.0.1", 0).pollEvery(Duration.ofSeconds(30)).build(),
                Clock.systemUTC());

        JsonNode sd = JSON.readTree(Http.get(http, Http.local(agent.port(), "/sd")).body());
        List<String> listed = new ArrayList<>();
        for (JsonNode group : sd) {
            String name = group.path("labels").path("__param_target").asText();
            listed.add(name);
            assertEquals("team-" + name, group.path("labels").path("team").asText());
            assertEquals("127.0.0.1:" + agent.port(), group.path("targets").get(0).asText());
        }
        assertEquals(owned, listed);

        JsonNode status = JSON.readTree(Http.get(http, Http.local(agent.port(), "/status/" + owned.get(0))).body());
        assertEquals("team-" + owned.get(0), status.path("labels").path("team").asText());
    }
}
