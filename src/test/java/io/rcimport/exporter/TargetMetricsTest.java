package io.rcimport.exporter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.Http.PROMETHEUS_SCRAPE_ACCEPT;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.MetricsText;
import io.rcimport.exporter.testing.TestConfigs;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics?target=NAME}: that target's series only, as /metrics has them, never a call to Rocket.Chat. */
class TargetMetricsTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private WireMockServer wm;
    private Agent agent;

    @BeforeEach
    void setUp() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        wm.stubFor(get("/api/v1/import.status").willReturn(aResponse().withStatus(200)
                .withHeader("X-RateLimit-Remaining", "8").withBody(bytes("status-importing-slack.json"))));
        agent = Agent.start(TestConfigs.of(
                        TestConfigs.tokenTarget("alpha", wm.baseUrl(), "u", "t"),
                        TestConfigs.tokenTarget("beta", wm.baseUrl(), "u", "t"))
                .listenOn("127.0.0.1", 0).pollEvery(Duration.ofSeconds(30), Duration.ofSeconds(2)).build(), Clock.systemUTC());
        await("ready", () -> {
            try {
                return fetch("/ready", "*/*").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        wm.stop();
    }

    private HttpResponse<String> fetch(String path, String accept) throws Exception {
        return Http.get(http, Http.local(agent.port(), path), "Accept", accept);
    }

    /** The sample lines (name and labels, no value) of an exposition. */
    private static Set<String> series(String body) {
        return body.lines().filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.substring(0, l.lastIndexOf(' '))).collect(Collectors.toSet());
    }

    @Test
    void only_the_targets_own_series_and_its_breakers_none_of_another_target() throws Exception {
        int callsBefore = wm.getAllServeEvents().size();
        for (String accept : List.of(PROMETHEUS_SCRAPE_ACCEPT, "text/plain;version=0.0.4")) {
            for (String[] pair : new String[][] {{"alpha", "beta"}, {"beta", "alpha"}}) {
                String own = pair[0];
                String other = pair[1];
                HttpResponse<String> r = fetch("/metrics?target=" + own, accept);
                assertEquals(200, r.statusCode());
                assertEquals(fetch("/metrics", accept).headers().firstValue("Content-Type"), r.headers().firstValue("Content-Type"));
                MetricsText m = MetricsText.parse(r.body(), accept.equals(PROMETHEUS_SCRAPE_ACCEPT));
                assertEquals(1.0, m.value("rocketchat_import_up", "target", own));
                assertEquals(1.0, m.value("rocketchat_import_state", "target", own, "state", "importing"));
                assertEquals(1.0, m.value("resilience4j_circuitbreaker_state", "name", own, "state", "closed"));
                assertTrue(m.value("rocketchat_import_polls_total", "target", own, "outcome", "success") >= 1, r.body());
                assertTrue(m.value("rocketchat_import_poll_duration_seconds_count", "target", own) >= 1, r.body());
                assertFalse(m.has("jvm_memory_used_bytes"), "no process or JVM series in the per-target view");
                assertFalse(m.has("rocketchat_import_exporter_build_info"), "no agent-wide series in the per-target view");
                for (String sample : series(r.body())) {
                    assertTrue(sample.contains("target=\"" + own + "\"") || sample.contains("name=\"" + own + "\""), sample);
                    assertFalse(sample.contains("\"" + other + "\""), "a sample of " + other + ": " + sample);
                }
                Set<String> all = series(fetch("/metrics", accept).body());
                assertTrue(all.containsAll(series(r.body())), "every series is one of /metrics': " + r.body());
            }
        }
        assertEquals(callsBefore, wm.getAllServeEvents().size(), "no call to Rocket.Chat");
    }

    @Test
    void gzip_as_for_metrics_and_404_for_a_name_not_polled_here() throws Exception {
        HttpResponse<byte[]> gz = Http.get(http, Http.local(agent.port(), "/metrics?target=alpha"),
                HttpResponse.BodyHandlers.ofByteArray(), "Accept", PROMETHEUS_SCRAPE_ACCEPT, "Accept-Encoding", "gzip");
        assertEquals(200, gz.statusCode());
        assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
        String body = new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.contains("rocketchat_import_up{target=\"alpha\"} 1"), body);
        assertTrue(body.endsWith("# EOF\n"), "one OpenMetrics exposition");

        HttpResponse<String> unknown = fetch("/metrics?target=gamma", "*/*");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("unknown target: gamma"), unknown.body());
        assertEquals(404, fetch("/metrics?target=", "*/*").statusCode());
    }
}
