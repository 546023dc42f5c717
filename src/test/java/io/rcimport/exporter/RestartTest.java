package io.rcimport.exporter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.RocketChatFixtures.text;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.testing.TestConfigs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent stopped and started again on the same {@code storage.path}, against a fake
 * Rocket.Chat and a fake webhook: nothing a restart should keep is lost, nothing secret is written.
 */
class RestartTest {
    private static final String STATUS = "/api/v1/import.status";
    private static final String USER_ID = "restartUser000001";
    private static final String TOKEN = "restart-token-secret-0123456789";
    private static final String HOOK_PATH = "/hooks/abcdefSECRETPATH/tokenSECRET";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;
    private WireMockServer rocketChat;
    private WireMockServer hook;
    private Agent agent;

    @BeforeEach
    void start() {
        rocketChat = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        rocketChat.start();
        answer("status-importing-slack.json");
        hook = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        hook.start();
        hook.stubFor(post(urlEqualTo(HOOK_PATH)).willReturn(aResponse().withStatus(200)));
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        rocketChat.stop();
        hook.stop();
    }

    private void answer(String fixture) {
        rocketChat.stubFor(get(urlEqualTo(STATUS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(text(fixture))));
    }

    private Config config(int hookPort) {
        Config.Webhook webhook = new Config.Webhook(URI.create("http://127.0.0.1:" + hookPort + HOOK_PATH),
                Config.WebhookFormat.JSON, Map.of("Authorization", Secret.of("Bearer hook-header-secret")));
        return TestConfigs.of(TestConfigs.tokenTarget("main", rocketChat.baseUrl(), USER_ID, TOKEN))
                .listenOn("127.0.0.1", 0)
                .pollEvery(Duration.ofMillis(300), Duration.ofMillis(250))
                .alerting(new Config.Alerting(List.of(), Duration.ofMinutes(1), List.of(webhook), Optional.empty()))
                .storage(state)
                .build();
    }

    private Agent startAgent(int hookPort) {
        agent = Agent.start(config(hookPort), Clock.systemUTC());
        return agent;
    }

    private void stopAgent() {
        agent.close();
        agent = null;
    }

    private String stateFile() throws IOException {
        return Files.readString(state.resolve("state.json"), StandardCharsets.UTF_8);
    }

    private List<JsonNode> posted() {
        return hook.findAll(postRequestedFor(urlEqualTo(HOOK_PATH))).stream().map(LoggedRequest::getBodyAsString)
                .map(RestartTest::parse).toList();
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(body, e);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void an_import_that_finished_while_the_agent_was_down_is_announced_after_the_restart() throws Exception {
        startAgent(hook.port());
        await("the first poll", () -> agent.store().get("main").orElseThrow().up());
        stopAgent();
        assertTrue(stateFile().contains("importer_importing_messages"), "the kept status");

        answer("status-done.json"); // the import finished while the agent was down
        startAgent(hook.port());
        await("the state change to done on the webhook", () -> posted().stream()
                .anyMatch(e -> "state_change".equals(e.path("kind").asText()) && "done".equals(e.path("to").asText())));
        JsonNode change = posted().stream().filter(e -> "state_change".equals(e.path("kind").asText())).findFirst().orElseThrow();
        assertAll(
                () -> assertEquals("importing", change.path("from").asText()),
                () -> assertTrue(change.path("after_restart").asBoolean(), change.toString()));
    }

    @Test
    void the_kept_snapshot_is_shown_stale_until_a_good_poll_confirms_it() throws Exception {
        startAgent(hook.port());
        await("the first poll", () -> agent.store().get("main").orElseThrow().up());
        stopAgent();
        rocketChat.stubFor(get(urlEqualTo(STATUS)).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withBody(text("500.json")))); // no poll can confirm it

        startAgent(hook.port());
        var s = agent.store().get("main").orElseThrow();
        assertAll(
                () -> assertEquals("importing", s.state().label()),
                () -> assertTrue(s.stale(Clock.systemUTC().instant(), Duration.ofMinutes(1)), "marked stale"),
                () -> assertTrue(s.raw().isPresent(), "the compatible endpoint has the kept body"));
        answer("status-importing-slack.json");
        await("confirmed by a good poll", () -> !agent.store().get("main").orElseThrow().restored());
        assertFalse(agent.store().get("main").orElseThrow().stale(Clock.systemUTC().instant(), Duration.ofMinutes(1)));
    }

    @Test
    void a_post_the_webhook_could_not_take_before_a_clean_stop_is_delivered_after_the_restart() throws Exception {
        int downHook = closedPort();
        startAgent(downHook); // the hook is down: the posts wait in the queue
        await("the first poll", () -> agent.store().get("main").orElseThrow().up());
        answer("status-failed.json");
        await("a state change queued", () -> agent.store().get("main").orElseThrow().state().label().equals("error"));
        Thread.sleep(300); // the event reaches the sink's queue on the poller's thread
        stopAgent(); // SIGTERM's path: Agent.stop writes the queue
        assertTrue(stateFile().contains("\"deliveries\""), stateFile());

        hook.stop();
        hook = new WireMockServer(WireMockConfiguration.options().port(downHook));
        hook.start();
        hook.stubFor(post(urlEqualTo(HOOK_PATH)).willReturn(aResponse().withStatus(200)));
        startAgent(downHook);
        await("the kept post delivered", () -> posted().stream()
                .anyMatch(e -> "state_change".equals(e.path("kind").asText()) && "error".equals(e.path("to").asText())));
    }

    @Test
    void an_alert_that_ended_while_the_agent_was_down_is_resolved_at_alertmanager_and_one_that_holds_keeps_starts_at() throws Exception {
        WireMockServer alertmanager = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        alertmanager.start();
        alertmanager.stubFor(post(urlEqualTo("/api/v2/alerts")).willReturn(aResponse().withStatus(200)));
        try {
            Config.Alerting toAlertmanager = new Config.Alerting(List.of(new Config.Alertmanager(URI.create(alertmanager.baseUrl()))),
                    Duration.ofMinutes(1), List.of(), Optional.empty());
            Config withAlertmanager = TestConfigs.from(config(hook.port())).alerting(toAlertmanager).build();
            answer("status-failed.json");
            agent = Agent.start(withAlertmanager, Clock.systemUTC());
            await("the failure firing", () -> !agent.firingAlerts().isEmpty());
            String startsAt = agent.firingAlerts().iterator().next().startsAt().toString();
            Thread.sleep(2200); // written
            stopAgent();

            alertmanager.resetRequests();
            agent = Agent.start(withAlertmanager, Clock.systemUTC());
            await("pushed again", () -> !pushes(alertmanager).isEmpty());
            JsonNode still = pushes(alertmanager).get(0);
            assertEquals(startsAt, still.path("startsAt").asText(), "the alert that still holds keeps its startsAt");
            stopAgent();

            answer("status-done.json"); // meanwhile a new import finished: the failure ended while the agent was down
            alertmanager.resetRequests();
            Instant restarted = Instant.now();
            agent = Agent.start(withAlertmanager, Clock.systemUTC());
            await("the failure resolved at Alertmanager", () -> pushes(alertmanager).stream().anyMatch(a ->
                    "RocketChatImportFailed".equals(a.path("labels").path("alertname").asText())
                            && !Instant.parse(a.path("endsAt").asText()).isAfter(Instant.now())
                            && !Instant.parse(a.path("endsAt").asText()).isBefore(restarted)));
        } finally {
            alertmanager.stop();
        }
    }

    /** Every alert of every push so far, in order. */
    private static List<JsonNode> pushes(WireMockServer alertmanager) {
        return alertmanager.findAll(postRequestedFor(urlEqualTo("/api/v2/alerts"))).stream()
                .flatMap(r -> StreamSupport.stream(parse(r.getBodyAsString()).spliterator(), false))
                .toList();
    }

    @Test
    void the_state_file_holds_no_secret() throws Exception {
        startAgent(closedPort());
        await("the first poll", () -> agent.store().get("main").orElseThrow().up());
        answer("status-failed.json");
        await("an alert", () -> !agent.firingAlerts().isEmpty());
        Thread.sleep(2500); // past the writer's 2 s spacing
        stopAgent();
        String kept = stateFile();
        assertAll(
                () -> assertFalse(kept.contains(TOKEN), "token"),
                () -> assertFalse(kept.contains("hook-header-secret"), "header value"),
                () -> assertFalse(kept.contains("SECRETPATH") || kept.contains("tokenSECRET"), "webhook URL path"),
                () -> assertTrue(kept.contains("RocketChatImportFailed"), "the alert is kept"));
    }

    @Test
    void a_garbage_state_file_is_set_aside_and_the_agent_starts() throws Exception {
        Files.writeString(state.resolve("state.json"), "{\"version\":1,\"targets\":[{\"name\":");
        startAgent(hook.port());
        await("the first poll", () -> agent.store().get("main").orElseThrow().up());
        try (Stream<Path> files = Files.list(state)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("state.json.corrupt-")), names.toString());
        }
    }
}
