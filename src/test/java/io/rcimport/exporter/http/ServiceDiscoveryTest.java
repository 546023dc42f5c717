package io.rcimport.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.http.hot.MetricsEndpoint;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /sd}: Prometheus http_sd, one group per polled target, behind the endpoint protection. */
class ServiceDiscoveryTest {
    private static final String TOKEN = "a-long-random-bearer-token";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final TestClock clock = TestClock.at("2021-10-26T20:53:00Z");
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        registry.close();
    }

    private void start(List<String> targets, Optional<URI> externalUrl, Config.WebAuth auth) {
        StatusStore store = new StatusStore(targets, clock, Duration.ofMinutes(10));
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        labels.put("eu", Map.of("team", "payments"));
        server = ApiServer.serving(store, new StatusJson(Duration.ofMinutes(1), name -> "closed"), clock, "test")
                .metrics(MetricsEndpoint.uncached(registry.getPrometheusRegistry()))
                .settings(new Config.Server("127.0.0.1", 0, Optional.empty(), auth, false))
                .discovery(new ServiceDiscovery(() -> targets, name -> labels.getOrDefault(name, Map.of()), externalUrl))
                .start("127.0.0.1", 0);
    }

    private HttpResponse<String> get(String... headers) throws Exception {
        return Http.get(http, Http.local(server.port(), "/sd"), headers);
    }

    @Test
    void one_group_per_target_at_the_address_prometheus_used_with_param_target_and_the_labels() throws Exception {
        start(List.of("eu", "us"), Optional.empty(), Config.WebAuth.none());

        HttpResponse<String> r = get();

        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        String address = "127.0.0.1:" + server.port();
        assertEquals("[{\"targets\":[\"" + address + "\"],\"labels\":{\"__param_target\":\"eu\",\"team\":\"payments\"}},"
                + "{\"targets\":[\"" + address + "\"],\"labels\":{\"__param_target\":\"us\"}}]", r.body());
    }

    @Test
    void the_external_url_gives_the_address_and_its_path_the_metrics_path() throws Exception {
        start(List.of("us"), Optional.of(URI.create("https://agent.example.com/rcie/")), Config.WebAuth.none());
        assertEquals("[{\"targets\":[\"agent.example.com:443\"],\"labels\":{\"__param_target\":\"us\","
                + "\"__metrics_path__\":\"/rcie/metrics\"}}]", get().body());
    }

    @Test
    void an_external_url_with_a_port_and_no_path() throws Exception {
        start(List.of("us"), Optional.of(URI.create("http://agent.example.com:9467")), Config.WebAuth.none());
        assertEquals("[{\"targets\":[\"agent.example.com:9467\"],\"labels\":{\"__param_target\":\"us\"}}]", get().body());
    }

    @Test
    void no_targets_is_an_empty_list() throws Exception {
        start(List.of(), Optional.empty(), Config.WebAuth.none());
        HttpResponse<String> r = get();
        assertEquals(200, r.statusCode());
        assertEquals("[]", r.body());
    }

    @Test
    void sd_needs_the_same_credentials_as_metrics() throws Exception {
        start(List.of("us"), Optional.empty(), new Config.WebAuth(Map.of(), List.of(Secret.of(TOKEN))));
        assertEquals(401, get().statusCode());
        assertEquals(401, Http.get(http, Http.local(server.port(), "/metrics")).statusCode());
        assertEquals(401, get("Authorization", "Bearer wrong").statusCode());
        assertEquals(200, get("Authorization", "Bearer " + TOKEN).statusCode());
    }
}
