package io.rcimport.exporter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.http.Reloader;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.testing.MetricsText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading the configuration of a running agent: targets come and go, unchanged ones keep
 * their state, a bad file is refused and the old configuration kept, and sharding splits a fleet.
 * The fake Rocket.Chat (WireMock) serves every target under its own path prefix
 * {@code /t/NAME}, so it can tell which target a request was for.
 */
class ReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Agent> agents = new ArrayList<>();
    private WireMockServer wm;

    @BeforeEach
    void fakeRocketChat() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        wm.stubFor(get(urlPathMatching("/t/[^/]+/api/v1/import.status")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(bytes("status-importing-slack.json"))));
    }

    @AfterEach
    void stop() {
        agents.forEach(Agent::close);
        wm.stop();
    }

    // --- configuration files ---

    private String targetYaml(String name) {
        return "  - name: " + name + "\n    url: " + wm.baseUrl() + "/t/" + name + "\n    user_id: u\n    auth_token: t\n";
    }

    private String configYaml(boolean enableReload, String extra, String... targets) {
        StringBuilder y = new StringBuilder("server:\n  host: 127.0.0.1\n  port: 0\n  enable_reload: " + enableReload + "\n"
                + "poll:\n  interval: 500ms\n  timeout: 450ms\n" + extra);
        if (targets.length > 0) {
            y.append("targets:\n");
            for (String t : targets) {
                y.append(targetYaml(t));
            }
        }
        return y.toString();
    }

    /** Writes atomically (a temp file moved over the old one), as editors and config managers do. */
    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private Agent start(Path configFile) throws Exception {
        Config config = ConfigLoader.load(configFile, Map.of());
        Agent agent = Agent.start(config, Clock.systemUTC(), Optional.of(() -> ConfigLoader.load(configFile, Map.of())));
        agents.add(agent);
        return agent;
    }

    // --- reading the agent ---

    private HttpResponse<String> request(Agent agent, String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private MetricsText metrics(Agent agent) throws IOException, InterruptedException {
        return MetricsText.parse(request(agent, "GET", "/metrics").body(), false);
    }

    private Set<String> statusTargets(Agent agent) throws IOException, InterruptedException {
        JsonNode status = JSON.readTree(request(agent, "GET", "/status").body());
        Set<String> names = new HashSet<>();
        for (JsonNode t : status.path("targets")) {
            names.add(t.path("target").asText());
        }
        return names;
    }

    private static long polls(Agent agent, String target) {
        return agent.store().get(target).map(TargetSnapshot::polls).orElse(-1L);
    }

    private int requestsFor(String target) {
        return wm.countRequestsMatching(getRequestedFor(urlEqualTo("/t/" + target + "/api/v1/import.status")).build()).getCount();
    }

    private static boolean mentions(MetricsText m, String target) {
        return m.samples().stream().anyMatch(s -> target.equals(s.labels().get("target")) || target.equals(s.labels().get("name")));
    }

    // --- (a) targets added, removed, kept ---

    @Test
    void a_reload_starts_new_targets_stops_removed_ones_and_keeps_the_state_of_unchanged_ones() throws Exception {
        Path file = write("config.yaml", configYaml(false, "", "kept", "removed"));
        Agent agent = start(file);
        await("a few polls of both", WAIT, () -> polls(agent, "kept") >= 3 && polls(agent, "removed") >= 1);
        assertTrue(mentions(metrics(agent), "removed"));
        CircuitBreaker keptBreaker = agent.breaker("kept").orElseThrow();
        TargetSnapshot keptBefore = agent.store().get("kept").orElseThrow();

        write("config.yaml", configYaml(false, "", "kept", "added"));
        Reloader.Result result = agent.reloadFromSource();

        assertTrue(result.applied(), result.message());
        assertTrue(result.message().contains("1 started, 1 stopped"), result.message());
        await("the added target polled", WAIT, () -> polls(agent, "added") >= 1 && requestsFor("added") >= 1);
        assertTrue(polls(agent, "kept") >= keptBefore.polls(), "the unchanged target's poll count goes on");
        await("the unchanged target polled again", WAIT, () -> polls(agent, "kept") > keptBefore.polls());
        assertEquals(keptBefore.lastSuccessAt().isPresent(), agent.store().get("kept").orElseThrow().lastSuccessAt().isPresent());
        assertTrue(agent.store().get("kept").orElseThrow().stateSince().equals(keptBefore.stateSince()),
                "the unchanged target's state did not start over");
        assertSame(keptBreaker, agent.breaker("kept").orElseThrow(), "same breaker instance");
        assertTrue(agent.breaker("removed").isEmpty());

        assertEquals(Set.of("kept", "added"), statusTargets(agent));
        assertEquals(404, request(agent, "GET", "/status/removed").statusCode());
        MetricsText m = metrics(agent);
        assertFalse(mentions(m, "removed"), "every series of the removed target is gone");
        assertEquals(1.0, m.value("rocketchat_import_up", "target", "added"));
        assertEquals(1.0, m.value("resilience4j_circuitbreaker_state", "name", "added", "state", "closed"));
        assertTrue(m.value("rocketchat_import_polls_total", "target", "kept", "outcome", "success") >= keptBefore.polls());

        // The removed target is no longer polled.
        int removedRequests = requestsFor("removed");
        long keptNow = polls(agent, "kept");
        await("a few more polls of the kept target", WAIT, () -> polls(agent, "kept") >= keptNow + 3);
        assertTrue(requestsFor("removed") <= removedRequests + 1, "at most an in-flight poll after the reload");
        assertFalse(mentions(metrics(agent), "removed"), "and its series do not come back");
    }

    @Test
    void a_target_whose_url_changed_starts_afresh_under_the_same_name() throws Exception {
        Path file = write("config.yaml", configYaml(false, "", "main"));
        Agent agent = start(file);
        await("polled", WAIT, () -> polls(agent, "main") >= 2);
        CircuitBreaker before = agent.breaker("main").orElseThrow();

        write("config.yaml", configYaml(false, "", "main").replace("/t/main", "/t/moved"));
        Reloader.Result r = agent.reloadFromSource();

        assertTrue(r.applied(), r.message());
        assertTrue(r.message().contains("of which changed 1"), r.message());
        await("the new url polled", WAIT, () -> requestsFor("moved") >= 1 && polls(agent, "main") >= 1);
        assertFalse(before == agent.breaker("main").orElseThrow(), "a new breaker for the new server");
    }

    // --- (b) a bad file is refused ---

    @Test
    void a_bad_file_is_refused_the_old_configuration_kept_and_the_reload_metrics_say_so() throws Exception {
        Path file = write("config.yaml", configYaml(false, "", "main"));
        Agent agent = start(file);
        await("polled", WAIT, () -> polls(agent, "main") >= 1);
        MetricsText m0 = metrics(agent);
        assertEquals(1.0, m0.value("rocketchat_import_config_last_reload_successful"));
        double loadedAt = m0.value("rocketchat_import_config_last_reload_success_timestamp_seconds");

        for (String bad : List.of(
                configYaml(false, "", "main").replace("interval: 500ms", "interval: soon"),
                configYaml(false, "polll:\n  x: 1\n", "main"),
                "server: [\n",
                configYaml(false, "") + "targets: []\n",
                configYaml(false, "", "main", "main"))) {
            write("config.yaml", bad);
            Reloader.Result r = agent.reloadFromSource();
            assertFalse(r.applied(), bad);
            assertFalse(r.message().isBlank());
            assertEquals(0.0, metrics(agent).value("rocketchat_import_config_last_reload_successful"), bad);
            assertEquals(Set.of("main"), statusTargets(agent), "the old configuration is kept");
        }
        long before = polls(agent, "main");
        await("still polling", WAIT, () -> polls(agent, "main") > before);

        Thread.sleep(20); // the timestamp has millisecond resolution
        write("config.yaml", configYaml(false, "", "main", "second"));
        Reloader.Result ok = agent.reloadFromSource();

        assertTrue(ok.applied(), ok.message());
        MetricsText m1 = metrics(agent);
        assertEquals(1.0, m1.value("rocketchat_import_config_last_reload_successful"));
        assertTrue(m1.value("rocketchat_import_config_last_reload_success_timestamp_seconds") > loadedAt);
    }

    @Test
    void a_refused_reload_names_the_key_and_the_problem() throws Exception {
        Path file = write("config.yaml", configYaml(false, "", "main"));
        Agent agent = start(file);
        write("config.yaml", configYaml(false, "", "main").replace("interval: 500ms", "interval: soon"));

        Reloader.Result r = agent.reloadFromSource();

        assertFalse(r.applied());
        assertTrue(r.message().contains("poll.interval"), r.message());
    }

    // --- (c) POST /-/reload ---

    @Test
    void post_reload_applies_the_file_when_enabled() throws Exception {
        Path file = write("config.yaml", configYaml(true, "", "main"));
        Agent agent = start(file);

        write("config.yaml", configYaml(true, "", "main", "second"));
        HttpResponse<String> r = request(agent, "POST", "/-/reload");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.path("applied").asBoolean(), r.body());
        assertEquals(Set.of("main", "second"), statusTargets(agent));

        write("config.yaml", configYaml(true, "", "main", "second").replace("500ms", "never"));
        HttpResponse<String> refused = request(agent, "POST", "/-/reload");
        assertEquals(400, refused.statusCode(), refused.body());
        assertFalse(JSON.readTree(refused.body()).path("applied").asBoolean(true));
        assertTrue(JSON.readTree(refused.body()).path("message").asText().contains("poll.interval"), refused.body());
        assertEquals(Set.of("main", "second"), statusTargets(agent));

        assertEquals(405, request(agent, "GET", "/-/reload").statusCode(), "reload is POST only");
    }

    @Test
    void post_reload_does_not_exist_unless_enabled() throws Exception {
        Path file = write("config.yaml", configYaml(false, "", "main"));
        Agent agent = start(file);
        write("config.yaml", configYaml(false, "", "main", "second"));

        HttpResponse<String> r = request(agent, "POST", "/-/reload");

        assertTrue(r.statusCode() == 404 || r.statusCode() == 405, r.statusCode() + " " + r.body());
        assertEquals(Set.of("main"), statusTargets(agent), "nothing was reloaded");
    }

    @Test
    void post_reload_needs_credentials_when_the_endpoints_are_protected() throws Exception {
        Path file = write("config.yaml", configYaml(true, "", "main").replace("  enable_reload: true\n",
                "  enable_reload: true\n  bearer_tokens: [reload-token]\n"));
        Agent agent = start(file);

        HttpResponse<String> r = request(agent, "POST", "/-/reload");
        assertEquals(401, r.statusCode());
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/-/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer reload-token")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
    }

    // --- (d) targets_file is watched ---

    @Test
    void editing_the_targets_file_reloads_within_seconds() throws Exception {
        write("fleet.yaml", "targets:\n" + targetYaml("one"));
        Path file = write("config.yaml", configYaml(false, "targets_file: fleet.yaml\n"));
        Agent agent = start(file);
        await("polled", WAIT, () -> polls(agent, "one") >= 1);

        write("fleet.yaml", "targets:\n" + targetYaml("one") + targetYaml("two"));

        await("the new target of the targets file polled", Duration.ofSeconds(20), () -> polls(agent, "two") >= 1);
        assertEquals(Set.of("one", "two"), statusTargets(agent));

        // A broken edit is refused and the running targets stay.
        write("fleet.yaml", "targets:\n  - name: [\n");
        await("the refusal shows in the metrics", Duration.ofSeconds(20), () -> {
            try {
                return metrics(agent).value("rocketchat_import_config_last_reload_successful") == 0.0;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        });
        assertEquals(Set.of("one", "two"), statusTargets(agent));

        write("fleet.yaml", "targets:\n" + targetYaml("two"));
        await("the removed target gone", Duration.ofSeconds(20), () -> agent.store().names().equals(List.of("two")));
    }

    // --- (e) sharding ---

    @Test
    void two_shards_poll_disjoint_halves_of_the_same_fleet() throws Exception {
        String[] fleet = IntStream.range(0, 20).mapToObj(i -> String.format("target-%02d", i)).toArray(String[]::new);
        Agent shard0 = start(write("shard0.yaml", configYaml(false, "shard:\n  index: 0\n  count: 2\n", fleet)));
        Agent shard1 = start(write("shard1.yaml", configYaml(false, "shard:\n  index: 1\n  count: 2\n", fleet)));
        await("both shards polled all their targets", WAIT, () -> shard0.store().allPolled() && shard1.store().allPolled());

        Set<String> names0 = statusTargets(shard0);
        Set<String> names1 = statusTargets(shard1);
        assertFalse(names0.isEmpty());
        assertFalse(names1.isEmpty());
        Set<String> both = new HashSet<>(names0);
        both.retainAll(names1);
        assertEquals(Set.of(), both, "no target is polled by both");
        Set<String> union = new HashSet<>(names0);
        union.addAll(names1);
        assertEquals(Set.of(fleet), union, "every target is polled by one");
        Config.Shard zero = new Config.Shard(0, 2);
        assertEquals(Arrays.stream(fleet).filter(zero::owns).collect(Collectors.toSet()), names0);

        // The fake saw every target, and the metrics of each shard carry only its own.
        for (String t : fleet) {
            assertTrue(requestsFor(t) >= 1, t);
        }
        MetricsText m0 = metrics(shard0);
        for (String t : names1) {
            assertFalse(mentions(m0, t), t + " is shard 1's");
        }
    }
}
