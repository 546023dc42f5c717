package io.rcimport.exporter.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.rcimport.exporter.Agent;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.testing.TestConfigs;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus discovers the agent's targets through {@code /sd} (http_sd, with the
 * relabelling of prometheus/prometheus.yml) and scrapes {@code /metrics?target=NAME}: one
 * {@code up} per target, {@code instance} = the target's name, the target's labels on its series,
 * and no series of another target under a target's instance.
 */
class HttpSdEndToEndIT {
    private static final String JOB = "rocketchat-import-targets";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private WireMockServer wm;
    private Agent agent;
    private Daemon prometheus;

    @AfterEach
    void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (wm != null) {
            wm.stop();
        }
    }

    @Test
    void prometheus_discovers_every_target_and_scrapes_each_as_its_own_instance(@TempDir Path tmp) throws Exception {
        Optional<Path> binary = Binaries.onPath("prometheus");
        if (binary.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but prometheus is not on PATH");
        }
        Assumptions.assumeTrue(binary.isPresent(), "skipped: prometheus is not on PATH");

        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        wm.stubFor(get("/api/v1/import.status").willReturn(aResponse().withStatus(200)
                .withHeader("X-RateLimit-Remaining", "8").withBody(bytes("status-importing-slack.json"))));
        Config parsed = ConfigLoader.parse("""
                targets:
                  - {name: alpha, url: "%1$s", user_id: u, auth_token: t, labels: {team: payments, env: prod}}
                  - {name: beta, url: "%1$s", user_id: u, auth_token: t, labels: {team: search}}
                """.formatted(wm.baseUrl()), Map.of());
        agent = Agent.start(TestConfigs.from(parsed).listenOn("127.0.0.1", 0).pollEvery(Duration.ofSeconds(1)).build(),
                Clock.systemUTC());

        Path promConfig = tmp.resolve("prometheus.yml");
        Files.writeString(promConfig, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: %s
                    http_sd_configs:
                      - url: http://127.0.0.1:%d/sd
                        refresh_interval: 1s
                    relabel_configs:
                      - source_labels: [__param_target]
                        target_label: instance
                """.formatted(JOB, agent.port()));
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path logs = Files.createDirectories(AlertingEndToEndIT.LOGS);
        prometheus = Daemon.start("prometheus", port -> List.of(binary.get().toString(),
                        "--config.file=" + promConfig, "--storage.tsdb.path=" + data,
                        "--web.listen-address=127.0.0.1:" + port),
                "/-/ready", logs.resolve("prometheus-http-sd.log"), Duration.ofSeconds(90));

        await("one up per target", Duration.ofSeconds(60), () -> result("up{job=\"" + JOB + "\"} == 1").size() == 2);
        Map<String, Map<String, String>> up = byInstance(result("up{job=\"" + JOB + "\"}"));
        assertEquals(Map.of("instance", "alpha", "job", JOB, "team", "payments", "env", "prod", "__name__", "up"), up.get("alpha"));
        assertEquals(Map.of("instance", "beta", "job", JOB, "team", "search", "__name__", "up"), up.get("beta"));

        await("the targets' own series", Duration.ofSeconds(30),
                () -> result("rocketchat_import_up{job=\"" + JOB + "\"} == 1").size() == 2);
        Map<String, Map<String, String>> imports = byInstance(result("rocketchat_import_up{job=\"" + JOB + "\"}"));
        assertEquals("alpha", imports.get("alpha").get("target"));
        assertEquals("payments", imports.get("alpha").get("team"));
        assertEquals("beta", imports.get("beta").get("target"));
        assertEquals("search", imports.get("beta").get("team"));
        List<JsonNode> perTarget = result("{job=\"" + JOB + "\", target!=\"\"}");
        assertEquals(true, perTarget.size() > 10, "the targets' series: " + perTarget.size());
        for (JsonNode series : perTarget) {
            assertEquals(series.path("metric").path("instance").asText(), series.path("metric").path("target").asText(),
                    "no series of another target under a target's instance: " + series);
        }
        List<JsonNode> breakers = result("resilience4j_circuitbreaker_state{job=\"" + JOB + "\"}");
        assertEquals(12, breakers.size(), "six states for each of the two breakers");
        for (JsonNode series : breakers) {
            assertEquals(series.path("metric").path("instance").asText(), series.path("metric").path("name").asText(),
                    "each instance has only its own breaker: " + series);
        }
    }

    private static Map<String, Map<String, String>> byInstance(List<JsonNode> series) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (JsonNode s : series) {
            Map<String, String> labels = new TreeMap<>();
            s.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.put(labels.get("instance"), labels);
        }
        return out;
    }

    private List<JsonNode> result(String expr) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(prometheus.url().resolve("/api/v1/query"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = json.readTree(r.body());
            if (!"success".equals(answer.path("status").asText())) {
                throw new AssertionError(expr + ": " + r.body());
            }
            List<JsonNode> out = new ArrayList<>();
            answer.path("data").path("result").forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
