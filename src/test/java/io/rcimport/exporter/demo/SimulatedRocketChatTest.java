package io.rcimport.exporter.demo;

import static io.rcimport.exporter.demo.ImportSimulationTest.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.TestClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatedRocketChatTest {
    static final String USER_ID = "rbAXPnMktTFbNpwtJ";
    static final String TOKEN = "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq";

    private final TestClock clock = TestClock.at("2026-05-02T09:00:00Z");
    private final ImportSimulation simulation = new ImportSimulation(clock, new SplittableRandom(1), Scenario.steady());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private TestRocketChat server;
    /** The {@code --demo} simulator, without the harness. */
    private SimulatedRocketChat demo;

    @AfterEach
    void close_server() {
        if (server != null) {
            server.close();
        }
        if (demo != null) {
            demo.close();
        }
    }

    private TestRocketChat start(SimulatedRocketChat.Builder builder) {
        return start(builder, false);
    }

    private TestRocketChat start(SimulatedRocketChat.Builder builder, boolean anyBasePath) {
        server = TestRocketChat.start(builder, anyBasePath);
        return server;
    }

    private TestRocketChat start() {
        return start(SimulatedRocketChat.builder(simulation).credentials(USER_ID, TOKEN).login("import-monitor", "s3cret"));
    }

    private HttpResponse<String> get(String path, String userId, String token) throws Exception {
        URI base = server != null ? server.url() : demo.url();
        return Http.get(http, base.resolve(path), "X-User-Id", userId, "X-Auth-Token", token);
    }

    private HttpResponse<String> status() throws Exception {
        return get(SimulatedRocketChat.IMPORT_STATUS, USER_ID, TOKEN);
    }

    private HttpResponse<String> login(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(server.url().resolve(SimulatedRocketChat.LOGIN))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Optional<String> header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name);
    }

    @Test
    void url_is_loopback_with_the_port_it_listens_on() {
        start();

        assertEquals(URI.create("http://127.0.0.1:" + server.port()), server.url());
        assertTrue(server.port() > 0);
    }

    @Test
    void import_status_without_credentials_is_401_with_the_7x_body() throws Exception {
        start();

        HttpResponse<String> response = get(SimulatedRocketChat.IMPORT_STATUS, null, null);

        assertEquals(401, response.statusCode());
        assertEquals(fixture("401-7x.json"), response.body());
        assertEquals("application/json", header(response, "Content-Type").orElseThrow());
    }

    @Test
    void import_status_with_a_wrong_token_or_user_is_401() throws Exception {
        start();

        assertEquals(401, get(SimulatedRocketChat.IMPORT_STATUS, USER_ID, "wrong").statusCode());
        assertEquals(401, get(SimulatedRocketChat.IMPORT_STATUS, "someone-else", TOKEN).statusCode());
        assertEquals(401, get(SimulatedRocketChat.IMPORT_STATUS, USER_ID, null).statusCode());
    }

    @Test
    void import_status_with_credentials_serves_the_simulation_at_the_clock_instant() throws Exception {
        start();
        assertEquals(fixture("status-none.json"), status().body());
        clock.advance(Duration.ofMinutes(3));

        HttpResponse<String> response = status();

        assertEquals(200, response.statusCode());
        assertEquals(simulation.statusJson(), response.body());
        assertEquals("application/json", header(response, "Content-Type").orElseThrow());
        assertTrue(json.readTree(response.body()).has("operation"));
    }

    @Test
    void login_returns_a_fresh_token_that_then_works_for_import_status() throws Exception {
        start();

        HttpResponse<String> first = login("{\"user\":\"import-monitor\",\"password\":\"s3cret\"}");
        HttpResponse<String> second = login("{\"user\":\"import-monitor\",\"password\":\"s3cret\"}");

        assertEquals(200, first.statusCode());
        JsonNode body = json.readTree(first.body());
        JsonNode shape = json.readTree(fixture("login-success.json"));
        assertEquals(fieldsOf(shape), fieldsOf(body));
        assertEquals(fieldsOf(shape.path("data")), fieldsOf(body.path("data")));
        assertEquals("success", body.path("status").asText());
        assertEquals(USER_ID, body.path("data").path("userId").asText());
        assertEquals("import-monitor", body.path("data").path("me").path("username").asText());
        String token = body.path("data").path("authToken").asText();
        assertEquals(43, token.length());
        assertNotEquals(token, json.readTree(second.body()).path("data").path("authToken").asText());
        assertEquals(200, get(SimulatedRocketChat.IMPORT_STATUS, USER_ID, token).statusCode());
    }

    @Test
    void login_with_a_wrong_password_or_a_broken_body_is_refused() throws Exception {
        start();

        HttpResponse<String> wrong = login("{\"user\":\"import-monitor\",\"password\":\"guess\"}");
        HttpResponse<String> broken = login("{\"user\":");

        assertEquals(401, wrong.statusCode());
        assertEquals("error", json.readTree(wrong.body()).path("status").asText());
        assertEquals(400, broken.statusCode());
    }

    @Test
    void login_with_two_factor_required_is_401_totp_required() throws Exception {
        start(SimulatedRocketChat.builder(simulation).login("import-monitor", "s3cret").twoFactorRequired(true));

        HttpResponse<String> response = login("{\"user\":\"import-monitor\",\"password\":\"s3cret\"}");

        assertEquals(401, response.statusCode());
        assertEquals(fixture("login-totp-required.json"), response.body());
    }

    @Test
    void info_reports_the_version_without_credentials() throws Exception {
        start(SimulatedRocketChat.builder(simulation).version("6.13"));

        HttpResponse<String> response = get(SimulatedRocketChat.INFO, null, null);

        assertEquals(200, response.statusCode());
        assertEquals("{\"version\":\"6.13\",\"success\":true}", response.body());
    }

    @Test
    void rate_limiter_sends_headers_on_every_answer_and_429_once_the_limit_is_spent() throws Exception {
        start(SimulatedRocketChat.builder(simulation).credentials(USER_ID, TOKEN).rateLimit(RateLimit.of(3, Duration.ofSeconds(60))));
        long reset = clock.instant().plusSeconds(60).toEpochMilli();

        for (int remaining = 2; remaining >= 0; remaining--) {
            HttpResponse<String> ok = status();
            assertEquals(200, ok.statusCode());
            assertEquals("3", header(ok, "X-RateLimit-Limit").orElseThrow());
            assertEquals(String.valueOf(remaining), header(ok, "X-RateLimit-Remaining").orElseThrow());
            assertEquals(String.valueOf(reset), header(ok, "X-RateLimit-Reset").orElseThrow());
            clock.advance(Duration.ofSeconds(10));
        }
        HttpResponse<String> refused = status();

        assertEquals(429, refused.statusCode());
        assertEquals(fixture("429.json").replace("42 seconds", "30 seconds"), refused.body());
        assertEquals("0", header(refused, "X-RateLimit-Remaining").orElseThrow());
        assertEquals(String.valueOf(reset), header(refused, "X-RateLimit-Reset").orElseThrow());
        assertFalse(header(refused, "Retry-After").isPresent(), "Rocket.Chat sends no Retry-After");
        assertEquals(200, get(SimulatedRocketChat.INFO, null, null).statusCode(), "each route has its own budget");

        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> again = status();
        assertEquals(200, again.statusCode());
        assertEquals("2", header(again, "X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void rate_limiter_counts_refused_and_unauthenticated_calls_too() throws Exception {
        start(SimulatedRocketChat.builder(simulation).credentials(USER_ID, TOKEN).rateLimit(RateLimit.of(2, Duration.ofSeconds(60))));

        assertEquals(401, get(SimulatedRocketChat.IMPORT_STATUS, null, null).statusCode());
        assertEquals(200, status().statusCode());
        assertEquals(429, status().statusCode());
        assertEquals(429, get(SimulatedRocketChat.IMPORT_STATUS, null, null).statusCode());
    }

    @Test
    void rate_limiter_without_headers_still_refuses() throws Exception {
        start(SimulatedRocketChat.builder(simulation).credentials(USER_ID, TOKEN)
                .rateLimit(RateLimit.of(1, Duration.ofSeconds(60)).withoutHeaders()));

        HttpResponse<String> ok = status();
        HttpResponse<String> refused = status();

        assertEquals(200, ok.statusCode());
        assertEquals(429, refused.statusCode());
        assertTrue(refused.body().contains("You must wait 60 seconds"), refused.body());
        for (HttpResponse<String> r : List.of(ok, refused)) {
            assertFalse(header(r, "X-RateLimit-Limit").isPresent());
            assertFalse(header(r, "X-RateLimit-Remaining").isPresent());
            assertFalse(header(r, "X-RateLimit-Reset").isPresent());
        }
    }

    @Test
    void request_count_counts_every_request_it_received_whatever_the_answer() throws Exception {
        start();
        assertEquals(0, server.requestCount());

        status();
        get(SimulatedRocketChat.IMPORT_STATUS, null, null);
        server.setFault(Fault.badGateway());
        status();
        get(SimulatedRocketChat.INFO, null, null);
        get("/somewhere/else", null, null);

        assertEquals(5, server.requestCount());
        assertEquals(3, server.requestCount(SimulatedRocketChat.IMPORT_STATUS));
        assertEquals(1, server.requestCount(SimulatedRocketChat.INFO));
        assertEquals(0, server.requestCount(SimulatedRocketChat.LOGIN));
    }

    @Test
    void any_base_path_serves_the_same_server_under_a_sub_path_counted_per_path() throws Exception {
        start(SimulatedRocketChat.builder(simulation).credentials(USER_ID, TOKEN), true);

        HttpResponse<String> plain = status();
        HttpResponse<String> underA = get("/a" + SimulatedRocketChat.IMPORT_STATUS, USER_ID, TOKEN);
        get("/a" + SimulatedRocketChat.IMPORT_STATUS, USER_ID, TOKEN);
        HttpResponse<String> underB = get("/b" + SimulatedRocketChat.IMPORT_STATUS, null, null);

        assertEquals(200, underA.statusCode());
        assertEquals(plain.body(), underA.body());
        assertEquals(401, underB.statusCode(), "credentials are checked under a sub-path too");
        assertEquals(4, server.requestCount(SimulatedRocketChat.IMPORT_STATUS) + server.requestCount("/a" + SimulatedRocketChat.IMPORT_STATUS)
                + server.requestCount("/b" + SimulatedRocketChat.IMPORT_STATUS));
        assertEquals(2, server.requestCounts().get("/a" + SimulatedRocketChat.IMPORT_STATUS));
        assertEquals(1, server.requestCounts().get("/b" + SimulatedRocketChat.IMPORT_STATUS));
    }

    @Test
    void without_any_base_path_a_sub_path_is_not_found() throws Exception {
        start();

        assertEquals(404, get("/a" + SimulatedRocketChat.IMPORT_STATUS, USER_ID, TOKEN).statusCode());
    }

    @Test
    void delayed_fault_answers_properly_after_the_delay() throws Exception {
        start();
        server.setFault(Fault.delayed(Duration.ofMillis(300)));

        long started = System.nanoTime();
        HttpResponse<String> r = status();
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(200, r.statusCode());
        assertEquals(fixture("status-none.json"), r.body());
        assertTrue(tookMillis >= 300, "answered after " + tookMillis + " ms");
        assertThrows(IllegalArgumentException.class, () -> Fault.delayed(Duration.ofMillis(-1)));
    }

    @Test
    void start_demo_serves_the_demo_credentials_with_the_demo_scenario() throws Exception {
        demo = SimulatedRocketChat.startDemo(clock);

        HttpResponse<String> before = get(SimulatedRocketChat.IMPORT_STATUS, "demo-user", "demo-token");
        clock.advance(Scenario.demo().firstOperationAfter());
        HttpResponse<String> after = get(SimulatedRocketChat.IMPORT_STATUS, "demo-user", "demo-token");

        assertEquals(fixture("status-none.json"), before.body());
        assertEquals("new", json.readTree(after.body()).path("state").asText());
        assertEquals("60", header(after, "X-RateLimit-Limit").orElseThrow());
        assertEquals(401, get(SimulatedRocketChat.IMPORT_STATUS, null, null).statusCode());
        assertEquals(Scenario.demo(), demo.simulation().scenario());
    }

    @Test
    void server_threads_are_named_and_gone_after_close() throws Exception {
        start();
        status();

        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("simulated-rocketchat-")));
        server.close();

        Instant deadline = Instant.now().plusSeconds(10);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("simulated-rocketchat-"))) {
            assertTrue(Instant.now().isBefore(deadline), "server threads still alive after close");
            Thread.sleep(50);
        }
        assertThrows(IOException.class, this::status, "nothing listens after close");
    }

    @Test
    void close_is_idempotent_and_start_is_once_only() {
        start();

        assertThrows(IllegalStateException.class, server.simulator()::start);
        server.close();
        server.close();
    }

    @Test
    void per_target_routes_answer_like_import_status_and_count_requests_and_overlaps() throws Exception {
        start();
        HttpResponse<String> a = get("/t/alpha" + SimulatedRocketChat.IMPORT_STATUS, USER_ID, TOKEN);
        get("/t/alpha" + SimulatedRocketChat.IMPORT_STATUS, USER_ID, TOKEN);
        get("/t/beta" + SimulatedRocketChat.IMPORT_STATUS, USER_ID, "wrong");

        assertEquals(200, a.statusCode());
        assertEquals(status().body(), a.body());
        assertEquals(Map.of("alpha", new TestRocketChat.Traffic(2, 0), "beta", new TestRocketChat.Traffic(1, 0)),
                server.traffic(Duration.ofSeconds(5)));
    }

    @Test
    void concurrent_requests_for_one_target_are_overlaps_but_hung_ones_are_not() throws Exception {
        start();
        server.setFault(new Fault.Trickle(Duration.ofMillis(5)));
        URI uri = server.url().resolve("/t/alpha" + SimulatedRocketChat.IMPORT_STATUS);
        HttpRequest request = HttpRequest.newBuilder(uri).header("X-User-Id", USER_ID).header("X-Auth-Token", TOKEN).build();
        var first = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        Thread.sleep(100); // the first is still trickling
        http.send(request, HttpResponse.BodyHandlers.ofString());
        first.get();
        assertEquals(1, server.traffic(Duration.ofMinutes(1)).get("alpha").overlaps());
        assertEquals(Map.of("Trickle", 1L), server.traffic(Duration.ofMinutes(1)).get("alpha").overlapsByEarlierAnswer());
        assertEquals(0, server.traffic(Duration.ofMillis(50)).get("alpha").overlaps(), "older than the window: no overlap");

        server.setFault(Fault.hang());
        http.sendAsync(HttpRequest.newBuilder(server.url().resolve("/t/beta" + SimulatedRocketChat.IMPORT_STATUS)).build(),
                HttpResponse.BodyHandlers.discarding());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.hungRequestCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        server.setFault(Fault.none());
        get("/t/beta" + SimulatedRocketChat.IMPORT_STATUS, USER_ID, TOKEN);
        assertEquals(0, server.traffic(Duration.ofMinutes(1)).get("beta").overlaps());
    }

    private static List<String> fieldsOf(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
