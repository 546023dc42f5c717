package io.rcimport.exporter.demo;

import static io.rcimport.exporter.demo.ImportSimulationTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FaultTest {
    private final TestClock clock = TestClock.at("2026-05-02T09:00:00Z");
    private final ImportSimulation simulation = new ImportSimulation(clock, new SplittableRandom(1), Scenario.steady());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private TestRocketChat server;

    @BeforeEach
    void start_server() {
        clock.advance(Duration.ofMinutes(5)); // an import is running: the status body is a real one
        server = TestRocketChat.start(SimulatedRocketChat.builder(simulation).credentials("uid", "token"));
    }

    @AfterEach
    void close_server() {
        server.close();
    }

    private HttpRequest statusRequest(Duration timeout) {
        return HttpRequest.newBuilder(server.url().resolve(SimulatedRocketChat.IMPORT_STATUS))
                .header("X-User-Id", "uid").header("X-Auth-Token", "token").timeout(timeout).build();
    }

    private HttpResponse<String> status() throws Exception {
        return http.send(statusRequest(Duration.ofSeconds(5)), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<InputStream> statusStream() throws Exception {
        return http.send(statusRequest(Duration.ofSeconds(5)), HttpResponse.BodyHandlers.ofInputStream());
    }

    private void awaitHung(int count) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(5);
        while (server.hungRequestCount() < count) {
            assertTrue(Instant.now().isBefore(deadline), "request not held: " + server.hungRequestCount());
            Thread.sleep(10);
        }
    }

    static Stream<Arguments> fixed_answers() {
        return Stream.of(
                arguments("500 JSON", Fault.internalServerError(), 500, "application/json", fixture("500.json")),
                arguments("500 HTML", Fault.internalServerErrorHtml(), 500, "text/html", "<title>500 Internal Server Error</title>"),
                arguments("502", Fault.badGateway(), 502, "text/html", "<h1>502 Bad Gateway</h1>"),
                arguments("503", Fault.serviceUnavailable(), 503, "text/html", "503 Service Temporarily Unavailable"),
                arguments("404 HTML", Fault.notFoundHtml(), 404, "text/html", fixture("404.html")),
                arguments("401 6.x", Fault.unauthorized6x(), 401, "application/json", fixture("401-6x.json")),
                arguments("401 7.x", Fault.unauthorized7x(), 401, "application/json", fixture("401-7x.json")),
                arguments("401 8.x", Fault.unauthorized8x(), 401, "application/json",
                        "{\"success\":false,\"error\":\"You must be logged in to do this.\"}"),
                arguments("403", Fault.forbidden(), 403, "application/json", fixture("403.json")),
                arguments("429", Fault.tooManyRequests(true), 429, "application/json", fixture("429.json")),
                arguments("429 without headers", Fault.tooManyRequests(false), 429, "application/json", fixture("429.json")),
                arguments("400 rate limited", Fault.tooManyRequestsOld(), 400, "application/json",
                        fixture("400-rate-limited-old.json")),
                arguments("200 not JSON", Fault.notJson(), 200, "text/html", "<title>Rocket.Chat</title>"),
                arguments("custom", Fault.status(418, "text/plain", "teapot"), 418, "text/plain", "teapot"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixed_answers")
    void a_fixed_fault_answers_with_its_status_content_type_and_body(
            String name, Fault fault, int status, String contentType, String body) throws Exception {
        server.setFault(fault);

        HttpResponse<String> response = status();

        assertEquals(status, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith(contentType),
                response.headers().map().toString());
        if (body.startsWith("{") || body.startsWith("<!DOCTYPE")) {
            assertEquals(body, response.body());
        } else {
            assertTrue(response.body().contains(body), response.body());
        }
    }

    @Test
    void too_many_requests_with_headers_resets_at_an_absolute_epoch_millisecond_and_without_sends_none() throws Exception {
        server.setFault(Fault.tooManyRequests(true));
        HttpResponse<String> with = status();
        server.setFault(Fault.tooManyRequests(false));
        HttpResponse<String> without = status();

        assertEquals(String.valueOf(clock.instant().plusSeconds(42).toEpochMilli()),
                with.headers().firstValue("X-RateLimit-Reset").orElseThrow());
        assertEquals("0", with.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertTrue(with.headers().firstValue("X-RateLimit-Limit").isPresent());
        assertFalse(with.headers().firstValue("Retry-After").isPresent());
        assertFalse(without.headers().firstValue("X-RateLimit-Reset").isPresent());
        assertFalse(without.headers().firstValue("X-RateLimit-Remaining").isPresent());
    }

    @Test
    void a_fault_answers_every_route_before_authentication_and_none_restores_normal_answers() throws Exception {
        server.setFault(Fault.forbidden());

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(server.url().resolve(SimulatedRocketChat.IMPORT_STATUS)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> info = http.send(HttpRequest.newBuilder(server.url().resolve(SimulatedRocketChat.INFO)).build(),
                HttpResponse.BodyHandlers.ofString());
        server.setFault(Fault.none());

        assertEquals(403, anonymous.statusCode());
        assertEquals(403, info.statusCode());
        assertEquals(simulation.statusJson(), status().body());
    }

    @Test
    void wrong_types_is_valid_json_whose_fields_have_the_wrong_types() throws Exception {
        server.setFault(Fault.wrongTypes());

        JsonNode body = json.readTree(status().body());

        assertTrue(body.path("state").isNumber());
        assertTrue(body.path("operation").path("valid").isTextual());
        assertTrue(body.path("operation").path("count").path("total").isTextual());
    }

    @Test
    void truncated_json_is_a_complete_200_whose_body_does_not_parse() throws Exception {
        String full = simulation.statusJson();
        server.setFault(Fault.truncatedJson());

        HttpResponse<String> response = status();

        assertEquals(200, response.statusCode());
        assertEquals(full.substring(0, full.length() / 2), response.body());
        assertThrows(JsonProcessingException.class, () -> json.readTree(response.body()));
    }

    @Test
    void a_dropped_connection_delivers_half_the_declared_body_then_fails_the_client() {
        server.setFault(Fault.droppedConnection());

        IOException e = assertThrows(IOException.class, this::status);

        assertTrue(e.getMessage() == null || !e.getMessage().isEmpty());
    }

    @Test
    void a_huge_body_is_streamed_in_full_and_chunked() throws Exception {
        server.setFault(Fault.hugeBody(3));

        HttpResponse<InputStream> response = statusStream();
        byte[] head = "{\"state\":\"none\",\"padding\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\",\"success\":true}".getBytes(StandardCharsets.US_ASCII);
        byte[] first = new byte[head.length];
        byte[] last = new byte[tail.length];
        long bytes = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; bytes += n) {
                for (int i = 0; i < n; i++) {
                    long at = bytes + i;
                    if (at < first.length) {
                        first[(int) at] = buffer[i];
                    }
                    last[(int) (at % last.length)] = buffer[i];
                }
            }
        }
        byte[] lastInOrder = new byte[last.length];
        for (int i = 0; i < last.length; i++) {
            lastInOrder[i] = last[(int) ((bytes + i) % last.length)];
        }

        assertEquals(200, response.statusCode());
        assertEquals(3L * 1024 * 1024, bytes);
        assertFalse(response.headers().firstValue("Content-Length").isPresent(), "chunked: no length announced");
        assertArrayEquals(head, first);
        assertArrayEquals(tail, lastInOrder);
    }

    @Test
    void a_huge_body_can_announce_its_length() throws Exception {
        server.setFault(new Fault.HugeBody(1024 * 1024, true));

        HttpResponse<byte[]> response = http.send(statusRequest(Duration.ofSeconds(5)), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals("1048576", response.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(1024 * 1024, response.body().length);
    }

    @Test
    void a_client_that_gives_up_on_a_huge_body_does_not_wedge_the_server() throws Exception {
        server.setFault(Fault.hugeBody(64));
        try (InputStream in = statusStream().body()) {
            assertEquals(100, in.readNBytes(100).length);
        }

        server.setFault(Fault.none());

        assertEquals(200, status().statusCode());
    }

    @Test
    void a_slow_trickle_sends_the_body_one_byte_at_a_time_until_the_server_closes() throws Exception {
        assertEquals(new Fault.Trickle(Duration.ofSeconds(1)), Fault.slowTrickle());
        int full = simulation.statusJson().length();
        server.setFault(new Fault.Trickle(Duration.ofMillis(200)));

        HttpResponse<InputStream> response = statusStream();
        long started = System.nanoTime();
        InputStream in = response.body();
        byte[] first = in.readNBytes(4);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(200, response.statusCode());
        assertEquals("{\"st", new String(first, StandardCharsets.US_ASCII));
        assertTrue(tookMillis >= 450, "4 bytes came in " + tookMillis + " ms");

        CompletableFuture<Integer> rest = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readAllBytes().length;
            } catch (IOException e) {
                return -1;
            }
        });
        server.close();
        int got = rest.get(5, TimeUnit.SECONDS);
        assertTrue(got < full - 4, "the rest of the body after close: " + got);
    }

    @Test
    void a_hang_holds_the_request_until_the_fault_is_cleared_then_answers_normally() throws Exception {
        server.setFault(Fault.hang());
        CompletableFuture<HttpResponse<String>> pending =
                http.sendAsync(statusRequest(Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString());
        awaitHung(1);
        Thread.sleep(200);
        assertFalse(pending.isDone());

        server.setFault(Fault.none());

        HttpResponse<String> response = pending.get(5, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals(simulation.statusJson(), response.body());
        assertEquals(0, server.hungRequestCount());
    }

    @Test
    void a_hang_outlasts_the_client_timeout() throws Exception {
        server.setFault(Fault.hang());

        ExecutionException e = assertThrows(ExecutionException.class, () ->
                http.sendAsync(statusRequest(Duration.ofMillis(500)), HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS));

        assertTrue(e.getCause() instanceof HttpTimeoutException, e.getCause().toString());
    }

    @Test
    void a_hang_is_released_by_close_with_an_answer_cut_short() throws Exception {
        server.setFault(Fault.hang());
        CompletableFuture<HttpResponse<String>> first =
                http.sendAsync(statusRequest(Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second =
                http.sendAsync(statusRequest(Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString());
        awaitHung(2);

        server.close();

        for (CompletableFuture<HttpResponse<String>> pending : List.of(first, second)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IOException, e.getCause().toString());
        }
    }

    @Test
    void random_faults_mix_normal_answers_with_the_chosen_faults() throws Exception {
        server.setFault(Fault.randomFaults(0.5, new SplittableRandom(3),
                List.of(Fault.internalServerError(), Fault.badGateway(), Fault.forbidden())));
        Set<Integer> statuses = new HashSet<>();

        for (int i = 0; i < 60; i++) {
            statuses.add(status().statusCode());
        }

        assertEquals(Set.of(200, 500, 502, 403), statuses);
    }

    @Test
    void random_fault_picks_follow_the_probability_cover_every_soak_choice_and_repeat_with_the_seed() {
        Fault.Random random = (Fault.Random) Fault.randomFaults(0.4, new SplittableRandom(5));
        Fault.Random same = (Fault.Random) Fault.randomFaults(0.4, new SplittableRandom(5));
        Map<Fault, Integer> picked = new HashMap<>();
        int faults = 0;

        for (int i = 0; i < 10_000; i++) {
            Fault f = random.pick();
            assertEquals(f, same.pick());
            if (!(f instanceof Fault.None)) {
                faults++;
                picked.merge(f, 1, Integer::sum);
            }
        }

        assertEquals(0.4, faults / 10_000.0, 0.03);
        assertEquals(new HashSet<>(Fault.soakChoices()), picked.keySet());
    }

    @Test
    void a_soak_of_random_faults_never_wedges_the_server() throws Exception {
        server.setFault(Fault.randomFaults(0.4, new SplittableRandom(11)));
        List<String> outcomes = new ArrayList<>();

        for (int i = 0; i < 40; i++) {
            // The JDK client's timeout stops at the headers; a trickling body needs a deadline of its own.
            CompletableFuture<HttpResponse<String>> pending =
                    http.sendAsync(statusRequest(Duration.ofMillis(1500)), HttpResponse.BodyHandlers.ofString());
            try {
                outcomes.add(String.valueOf(pending.get(2, TimeUnit.SECONDS).statusCode()));
            } catch (ExecutionException e) {
                outcomes.add(e.getCause().getClass().getSimpleName());
            } catch (TimeoutException e) {
                pending.cancel(true);
                outcomes.add("deadline");
            }
        }
        server.setFault(Fault.none());

        assertEquals(200, status().statusCode(), "outcomes: " + outcomes);
        assertTrue(outcomes.stream().filter("200"::equals).count() >= 10, outcomes.toString());
        assertTrue(outcomes.stream().anyMatch(o -> !o.equals("200")), outcomes.toString());
        assertEquals(41, server.requestCount(SimulatedRocketChat.IMPORT_STATUS));
    }

    @Test
    void faults_reject_impossible_values() {
        assertThrows(IllegalArgumentException.class, () -> Fault.status(99, "text/plain", ""));
        assertThrows(IllegalArgumentException.class, () -> new Fault.RateLimited(503, Duration.ofSeconds(1), true));
        assertThrows(IllegalArgumentException.class, () -> new Fault.Trickle(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Fault.randomFaults(1.5, new SplittableRandom()));
        assertThrows(IllegalArgumentException.class, () -> Fault.randomFaults(0.5, new SplittableRandom(), List.of()));
    }

    @Test
    void canned_bodies_are_byte_for_byte_the_fixtures() {
        assertEquals(fixture("401-6x.json"), RocketChatBodies.UNAUTHORIZED_6X);
        assertEquals(fixture("401-7x.json"), RocketChatBodies.UNAUTHORIZED_7X);
        assertEquals(fixture("403.json"), RocketChatBodies.FORBIDDEN);
        assertEquals(fixture("500.json"), RocketChatBodies.INTERNAL_SERVER_ERROR);
        assertEquals(fixture("404.html"), RocketChatBodies.NOT_FOUND_HTML);
        assertEquals(fixture("login-totp-required.json"), RocketChatBodies.LOGIN_TOTP_REQUIRED);
        assertEquals(fixture("429.json"), RocketChatBodies.tooManyRequests(42, false));
        assertEquals(fixture("400-rate-limited-old.json"), RocketChatBodies.tooManyRequests(10, true));
        assertEquals(fixture("login-success.json"),
                RocketChatBodies.loginSuccess("rbAXPnMktTFbNpwtJ", "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq", "import-monitor"));
    }
}
