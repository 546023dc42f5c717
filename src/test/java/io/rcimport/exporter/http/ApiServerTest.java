package io.rcimport.exporter.http;

import static io.rcimport.exporter.testing.Http.PROMETHEUS_SCRAPE_ACCEPT;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rcimport.exporter.http.hot.CachedBody;
import io.rcimport.exporter.http.hot.MetricsEndpoint;
import io.rcimport.exporter.metrics.ImportMetrics;
import io.rcimport.exporter.rocketchat.HttpAnswer;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ResponseClassifier;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.MetricsText;
import io.rcimport.exporter.testing.TestClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Javalin app on port 0, read with the JDK's HTTP client. */
class ApiServerTest {
    private static final String VERSION = "1.2.3-test";
    private static final Duration STALE_AFTER = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS_100 = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private static HttpClient http;
    private TestClock clock;
    private StatusStore store;
    private PrometheusMeterRegistry registry;
    private ApiServer server;

    @BeforeAll
    static void client() {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private void start(String... targets) {
        clock = TestClock.at("2021-10-26T20:53:00Z");
        store = new StatusStore(List.of(targets), clock, Duration.ofMinutes(10));
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ImportMetrics(registry.getPrometheusRegistry(), store, clock, STALE_AFTER, VERSION);
        server = ApiServer.serving(store, new StatusJson(STALE_AFTER, name -> "closed"), clock, VERSION)
                .metrics(MetricsEndpoint.uncached(registry.getPrometheusRegistry())).start("127.0.0.1", 0);
    }

    private void goodPoll(String target, String fixture) {
        store.update(target, ResponseClassifier.classify(new HttpAnswer(200, "application/json", bytes(fixture), false,
                OptionalLong.empty(), Optional.empty()), 1 << 20, clock.instant()));
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return Http.get(http, Http.local(server.port(), path), HttpResponse.BodyHandlers.ofByteArray(), headers);
    }

    private static String contentType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("(none)");
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        assertEquals("application/json", contentType(r), "Content-Type of " + r.uri());
        return JSON.readTree(r.body());
    }

    // --- /metrics ---

    @Test
    void metrics_without_accept_is_prometheus_text_0_0_4() throws Exception {
        start("main");
        goodPoll("main", "status-importing-slack.json");

        HttpResponse<byte[]> r = get("/metrics");

        assertEquals(200, r.statusCode());
        assertEquals(TEXT_004, contentType(r));
        MetricsText m = MetricsText.parse(text(r), false);
        assertEquals(1.0, m.value("rocketchat_import_up", "target", "main"));
        assertEquals(1.0, m.value("rocketchat_import_state", "target", "main", "state", "importing"));
    }

    @Test
    void metrics_with_the_text_0_0_4_accept_header_is_text_0_0_4() throws Exception {
        start("main");

        HttpResponse<byte[]> r = get("/metrics", "Accept", "text/plain;version=0.0.4");

        assertEquals(200, r.statusCode());
        assertEquals(TEXT_004, contentType(r));
        MetricsText.parse(text(r), false);
    }

    @Test
    void metrics_with_prometheus_scrape_accept_header_is_openmetrics_1_0_0() throws Exception {
        start("main");
        goodPoll("main", "status-importing-slack.json");

        HttpResponse<byte[]> r = get("/metrics", "Accept", PROMETHEUS_SCRAPE_ACCEPT);

        assertEquals(200, r.statusCode());
        assertEquals(OPENMETRICS_100, contentType(r));
        MetricsText m = MetricsText.parse(text(r), true);
        assertEquals("counter", m.types().get("rocketchat_import_polls"));
        assertEquals(1.0, m.value("rocketchat_import_polls_total", "target", "main", "outcome", "success"));
        assertEquals(18250.0, m.value("rocketchat_import_records", "target", "main"));
    }

    @Test
    void metrics_with_the_protobuf_accept_header_is_delimited_metric_families() throws Exception {
        start("main");
        goodPoll("main", "status-importing-slack.json");

        HttpResponse<byte[]> r = get("/metrics", "Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");

        assertEquals(200, r.statusCode());
        assertEquals(PROTOBUF, contentType(r));
        List<String> families = delimitedFamilyNames(r.body());
        assertTrue(families.contains("rocketchat_import_up"), families.toString());
        assertTrue(families.contains("rocketchat_import_state"), families.toString());
        assertTrue(families.contains("rocketchat_import_exporter_build_info"), families.toString());
    }

    @Test
    void metrics_with_a_wildcard_or_an_unrelated_accept_header_falls_back_to_text() throws Exception {
        start("main");
        assertEquals(TEXT_004, contentType(get("/metrics", "Accept", "*/*")));
        assertEquals(TEXT_004, contentType(get("/metrics", "Accept", "application/json")));
    }

    @Test
    void metrics_are_gzipped_when_the_scraper_accepts_gzip_and_plain_otherwise() throws Exception {
        start("main");
        goodPoll("main", "status-importing-slack.json");

        HttpResponse<byte[]> plain = get("/metrics");
        HttpResponse<byte[]> gzipped = get("/metrics", "Accept-Encoding", "gzip");
        HttpResponse<byte[]> refused = get("/metrics", "Accept-Encoding", "gzip;q=0, identity");

        assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals("Accept-Encoding", gzipped.headers().firstValue("Vary").orElseThrow());
        assertEquals(TEXT_004, contentType(gzipped));
        String unzipped = new String(new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertEquals(text(plain), unzipped);
        assertTrue(refused.headers().firstValue("Content-Encoding").isEmpty());
        assertEquals(text(plain), text(refused));
    }

    @Test
    void status_is_gzipped_when_the_reader_accepts_gzip_with_the_length_of_what_is_sent() throws Exception {
        start("main", "a", "b", "c", "d", "e", "f", "g");
        goodPoll("main", "status-importing-slack.json");

        HttpResponse<byte[]> plain = get("/status");
        HttpResponse<byte[]> gzipped = get("/status", "Accept-Encoding", "gzip, deflate");

        assertTrue(plain.body().length >= CachedBody.GZIP_MIN_BYTES, "big enough to be compressed: " + plain.body().length);
        assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
        assertEquals(Long.toString(plain.body().length), plain.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals("Accept-Encoding", gzipped.headers().firstValue("Vary").orElseThrow());
        assertEquals(Long.toString(gzipped.body().length), gzipped.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("application/json", contentType(gzipped));
        assertArrayEquals(plain.body(), new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes());
    }

    @Test
    void a_metrics_rendering_that_fails_is_a_500_json_without_a_stack_trace() throws Exception {
        clock = TestClock.at("2021-10-26T20:53:00Z");
        store = new StatusStore(List.of("main"), clock, Duration.ofMinutes(10));
        PrometheusRegistry broken = new PrometheusRegistry();
        broken.register((MultiCollector) () -> {
            throw new IllegalStateException("collector exploded");
        });
        server = ApiServer.serving(store, new StatusJson(STALE_AFTER, name -> "closed"), clock, VERSION)
                .metrics(MetricsEndpoint.uncached(broken)).start("127.0.0.1", 0);

        HttpResponse<byte[]> r = get("/metrics");

        assertEquals(500, r.statusCode());
        assertEquals("internal error", json(r).path("error").asText());
        assertFalse(text(r).contains("exploded") || text(r).contains("at io."), text(r));
        assertEquals(200, get("/health").statusCode(), "the server goes on serving");
    }

    /**
     * Reads a stream of varint-length-prefixed MetricFamily messages and returns field 1 (name)
     * of each, checking that the frames tile the body exactly.
     */
    private static List<String> delimitedFamilyNames(byte[] body) throws IOException {
        List<String> names = new ArrayList<>();
        int offset = 0;
        while (offset < body.length) {
            long[] len = varint(body, offset);
            int start = offset + (int) len[1];
            int end = start + (int) len[0];
            assertTrue(end <= body.length, "frame runs past the body");
            assertEquals(0x0A, body[start], "MetricFamily does not start with field 1 (name)");
            long[] nameLen = varint(body, start + 1);
            int nameStart = start + 1 + (int) nameLen[1];
            names.add(new String(body, nameStart, (int) nameLen[0], StandardCharsets.UTF_8));
            offset = end;
        }
        assertFalse(names.isEmpty());
        return names;
    }

    /** {value, bytes used}. */
    private static long[] varint(byte[] b, int at) {
        long value = 0;
        for (int i = 0; i < 10; i++) {
            int x = b[at + i] & 0xff;
            value |= (long) (x & 0x7f) << (7 * i);
            if ((x & 0x80) == 0) {
                return new long[] {value, i + 1};
            }
        }
        throw new AssertionError("varint longer than 10 bytes");
    }

    @Test
    void post_to_metrics_is_405_json() throws Exception {
        start("main");

        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(405, r.statusCode());
        assertEquals("method not allowed: POST", json(r).path("error").asText());
    }

    // --- /status ---

    @Test
    void status_lists_every_target_in_order_with_state_progress_age_and_breaker() throws Exception {
        start("main", "backup");
        goodPoll("main", "status-importing-slack.json");
        clock.advance(Duration.ofSeconds(12));

        JsonNode root = json(get("/status"));

        assertEquals(VERSION, root.path("version").asText());
        assertEquals("2021-10-26T20:53:12Z", root.path("now").asText());
        JsonNode main = root.path("targets").get(0);
        assertEquals("main", main.path("target").asText());
        assertTrue(main.path("up").asBoolean());
        assertEquals("importing", main.path("state").asText());
        assertEquals("MJxTRZsYdho8Ww2qq", main.path("operation").path("id").asText());
        assertEquals("importer_importing_messages", main.path("operation").path("status").asText());
        assertTrue(main.path("operation").path("valid").asBoolean());
        assertEquals(18250, main.path("operation").path("count").path("total").asLong());
        assertEquals(9512.0 / 18250, main.path("progress").asDouble(), 1e-12);
        assertEquals("2021-10-26T20:53:00Z", main.path("fetched_at").asText());
        assertEquals(12.0, main.path("age_seconds").asDouble(), 1e-9);
        assertFalse(main.path("stale").asBoolean());
        assertFalse(main.path("stalled").asBoolean());
        assertTrue(main.path("last_error").isNull());
        assertEquals("closed", main.path("circuit_breaker").asText());
        assertTrue(main.path("alerts").isArray() && main.path("alerts").isEmpty(), "no alert source: an empty list");
        JsonNode backup = root.path("targets").get(1);
        assertEquals("backup", backup.path("target").asText());
        assertEquals("unknown", backup.path("state").asText());
        assertTrue(backup.path("stale").asBoolean());
        assertEquals(2, root.path("targets").size());
    }

    @Test
    void status_of_a_failing_target_keeps_the_last_state_and_shows_the_error() throws Exception {
        start("main");
        goodPoll("main", "status-importing-slack.json");
        clock.advance(Duration.ofSeconds(15));
        store.update("main", PollResult.Failure.of(Outcome.FORBIDDEN, "HTTP 403: no run-import"));
        clock.advance(STALE_AFTER);

        JsonNode t = json(get("/status/main"));

        assertEquals("importing", t.path("state").asText());
        assertFalse(t.path("up").asBoolean());
        assertTrue(t.path("stale").asBoolean());
        assertEquals("forbidden", t.path("last_outcome").asText());
        assertEquals("forbidden", t.path("last_error").path("outcome").asText());
        assertEquals("HTTP 403: no run-import", t.path("last_error").path("message").asText());
        assertEquals("2021-10-26T20:53:15Z", t.path("last_error").path("at").asText());
        assertEquals(1, t.path("consecutive_failures").asInt());
    }

    @Test
    void status_of_an_unknown_target_is_404_json() throws Exception {
        start("main");

        HttpResponse<byte[]> r = get("/status/nope");

        assertEquals(404, r.statusCode());
        assertEquals("unknown target: nope", json(r).path("error").asText());
    }

    // --- /api/v1/import.status ---

    @Test
    void compatible_status_is_503_json_until_the_first_good_poll() throws Exception {
        start("main");
        HttpResponse<byte[]> before = get("/api/v1/import.status");
        assertEquals(503, before.statusCode());
        assertFalse(json(before).path("success").asBoolean(true));
        assertEquals(Optional.of("5"), before.headers().firstValue("Retry-After"));

        store.update("main", PollResult.Failure.of(Outcome.TIMEOUT, "slow"));
        assertEquals(503, get("/api/v1/import.status").statusCode(), "a failed poll is not a good poll");
    }

    @Test
    void compatible_status_returns_the_raw_bytes_with_age_and_etag() throws Exception {
        start("main");
        goodPoll("main", "status-importing-slack.json");
        clock.advance(Duration.ofSeconds(7));

        HttpResponse<byte[]> r = get("/api/v1/import.status");

        assertEquals(200, r.statusCode());
        assertArrayEquals(bytes("status-importing-slack.json"), r.body());
        assertEquals("application/json", contentType(r));
        assertEquals(Optional.of("7"), r.headers().firstValue("Age"));
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertTrue(etag.matches("\"[0-9a-f]{24}\""), etag);
        assertArrayEquals(bytes("status-importing-slack.json"), get("/api/v1/import.status?target=main").body());
    }

    @Test
    void compatible_status_answers_304_to_a_matching_if_none_match() throws Exception {
        start("main");
        goodPoll("main", "status-ready.json");
        String etag = get("/api/v1/import.status").headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> same = get("/api/v1/import.status", "If-None-Match", etag);
        assertEquals(304, same.statusCode());
        assertEquals(0, same.body().length);
        assertEquals(Optional.of(etag), same.headers().firstValue("ETag"));
        assertEquals(304, get("/api/v1/import.status", "If-None-Match", "\"other\", W/" + etag).statusCode());
        assertEquals(200, get("/api/v1/import.status", "If-None-Match", "\"other\"").statusCode());

        goodPoll("main", "status-importing-slack.json");
        HttpResponse<byte[]> changed = get("/api/v1/import.status", "If-None-Match", etag);
        assertEquals(200, changed.statusCode());
        assertNotEquals(etag, changed.headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void compatible_status_needs_a_target_parameter_with_two_targets() throws Exception {
        start("a", "b");
        goodPoll("a", "status-ready.json");
        goodPoll("b", "status-importing-slack.json");

        HttpResponse<byte[]> r = get("/api/v1/import.status");

        assertEquals(400, r.statusCode());
        JsonNode body = json(r);
        assertFalse(body.path("success").asBoolean(true));
        assertEquals("a", body.path("targets").get(0).asText());
        assertEquals("b", body.path("targets").get(1).asText());
        assertArrayEquals(bytes("status-importing-slack.json"), get("/api/v1/import.status?target=b").body());
        assertArrayEquals(bytes("status-ready.json"), get("/api/v1/import.status?target=a").body());
    }

    @Test
    void compatible_status_of_an_unknown_target_is_404_json() throws Exception {
        start("a", "b");

        HttpResponse<byte[]> r = get("/api/v1/import.status?target=zzz");

        assertEquals(404, r.statusCode());
        assertEquals("unknown target: zzz", json(r).path("error").asText());
    }

    // --- health, ready, page, errors ---

    @Test
    void health_is_200_while_the_process_serves() throws Exception {
        start("main");
        HttpResponse<byte[]> r = get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("ok", json(r).path("status").asText());
    }

    @Test
    void ready_is_503_until_every_target_has_had_one_poll_good_or_not() throws Exception {
        start("a", "b");
        HttpResponse<byte[]> before = get("/ready");
        assertEquals(503, before.statusCode());
        assertFalse(json(before).path("ready").asBoolean());

        store.update("a", PollResult.Failure.of(Outcome.CONNECTION_ERROR, "refused"));
        assertEquals(503, get("/ready").statusCode());
        goodPoll("b", "status-none.json");

        HttpResponse<byte[]> after = get("/ready");
        assertEquals(200, after.statusCode());
        assertEquals(2, json(after).path("targets_polled").asInt());
    }

    @Test
    void the_root_page_is_html_with_the_version_and_links() throws Exception {
        start("main");

        HttpResponse<byte[]> r = get("/");

        assertEquals(200, r.statusCode());
        assertTrue(contentType(r).startsWith("text/html"), contentType(r));
        String html = text(r);
        assertTrue(html.contains("version " + VERSION), html);
        assertTrue(html.contains("href=\"metrics\""));
        assertTrue(html.contains("href=\"status\""));
    }

    @Test
    void the_version_on_the_page_is_html_escaped() {
        assertTrue(new StatusPage("1.0<script>").html().contains("version 1.0&lt;script&gt;"));
    }

    @Test
    void an_unknown_path_is_404_json() throws Exception {
        start("main");

        HttpResponse<byte[]> r = get("/no/such/page");

        assertEquals(404, r.statusCode());
        assertEquals("not found: /no/such/page", json(r).path("error").asText());
        HttpResponse<byte[]> asJson = get("/no/such/page", "Accept", "application/json");
        assertEquals(404, asJson.statusCode());
        assertEquals("not found: /no/such/page", json(asJson).path("error").asText(), "same shape whatever the Accept");
    }

    @Test
    void nothing_is_served_from_the_stale_snapshot_as_up() throws Exception {
        start("main");
        goodPoll("main", "status-importing-slack.json");
        clock.set(Instant.parse("2021-10-26T20:53:00Z").plus(STALE_AFTER).plusSeconds(1));

        MetricsText m = MetricsText.parse(text(get("/metrics")), false);

        assertEquals(0.0, m.value("rocketchat_import_up", "target", "main"));
        assertFalse(m.has("rocketchat_import_state", "target", "main"));
        assertTrue(json(get("/status/main")).path("stale").asBoolean());
    }
}
