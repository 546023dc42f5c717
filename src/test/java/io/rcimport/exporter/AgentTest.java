package io.rcimport.exporter;

import static io.rcimport.exporter.testing.Http.PROMETHEUS_SCRAPE_ACCEPT;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.MetricsText;
import io.rcimport.exporter.testing.TestConfigs;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole agent wired from a Config, polling WireMock, scraped like Prometheus would. */
class AgentTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private WireMockServer wm;
    private Agent agent;

    @BeforeEach
    void setUp() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        wm.stubFor(get("/api/v1/import.status").willReturn(aResponse().withStatus(200)
                .withHeader("X-RateLimit-Remaining", "8").withBody(bytes("status-importing-slack.json"))));
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        wm.stop();
    }

    private Agent startAgent() {
        Config config = TestConfigs.of(TestConfigs.tokenTarget("main", wm.baseUrl(), "rbAXPnMktTFbNpwtJ", "token"))
                .listenOn("127.0.0.1", 0).pollEvery(Duration.ofMillis(300), Duration.ofSeconds(2)).build();
        agent = Agent.start(config, Clock.systemUTC());
        return agent;
    }

    private HttpResponse<String> fetch(String path, String accept) throws IOException, InterruptedException {
        return Http.get(http, Http.local(agent.port(), path), "Accept", accept);
    }

    private int status(String path) {
        try {
            return fetch(path, "*/*").statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    @Test
    void the_agent_polls_and_serves_one_valid_exposition_with_its_own_jvm_and_breaker_metrics() throws Exception {
        startAgent();
        await("ready", () -> status("/ready") == 200);

        HttpResponse<String> om = fetch("/metrics", PROMETHEUS_SCRAPE_ACCEPT);
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", om.headers().firstValue("Content-Type").orElseThrow());
        MetricsText m = MetricsText.parse(om.body(), true);

        assertEquals(1.0, m.value("rocketchat_import_up", "target", "main"));
        assertEquals(1.0, m.value("rocketchat_import_state", "target", "main", "state", "importing"));
        assertEquals(8.0, m.value("rocketchat_import_rate_limit_remaining", "target", "main"));
        assertTrue(m.value("rocketchat_import_poll_duration_seconds_count", "target", "main") >= 1);
        assertEquals(1.0, m.value("resilience4j_circuitbreaker_state", "name", "main", "state", "closed"));
        assertTrue(m.has("jvm_memory_used_bytes"), "JVM metrics are bound");
        assertTrue(m.has("process_uptime_seconds"), "process metrics are bound");

        HttpResponse<String> text = fetch("/metrics", "text/plain;version=0.0.4");
        MetricsText.parse(text.body(), false);
    }

    @Test
    void stopping_the_agent_releases_its_port() throws Exception {
        startAgent();
        await("serving", () -> status("/health") == 200);
        int port = agent.port();

        agent.close();

        assertThrows(ConnectException.class, () -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()));
        agent = null;
    }
}
