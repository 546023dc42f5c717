package io.rcimport.exporter.alert;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Config.WebhookFormat;
import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.TestClock;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A webhook's per-minute limit, digests, and what 429 and 500 do. Time is a {@link TestClock}
 * driven through a {@link ManualTimer}: nothing here waits for real time, only for WireMock's answers.
 */
class WebhookBurstTest {
    private static final String CANARY = "Zq7-canary-S3CRET-value";
    private static final String PATH = "/hooks/6a1f00c2/" + CANARY;

    private final TestClock clock = TestClock.at("2026-03-02T10:00:00Z");
    private final ManualTimer timer = new ManualTimer(clock);
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2, new NamedThreads("test-burst-http"));
    private final HttpClient http = HttpClient.newBuilder().executor(httpThreads).connectTimeout(Duration.ofSeconds(2)).build();
    private final RecordingCounter counter = new RecordingCounter();
    private final Receiver webhook = new Receiver(PATH).answering(200);
    private final List<WebhookSink> sinks = new ArrayList<>();

    @AfterEach
    void stop_everything() {
        sinks.forEach(WebhookSink::close);
        webhook.close();
        timer.shutdownNow();
        httpThreads.shutdownNow();
    }

    private WebhookSink sink(WebhookFormat format) {
        return track(new Config.Webhook(webhook.url(), format, Map.of()));
    }

    private WebhookSink sink(WebhookFormat format, int maxPerMinute) {
        return track(new Config.Webhook(webhook.url(), format, Map.of(), maxPerMinute));
    }

    private WebhookSink track(Config.Webhook config) {
        WebhookSink sink = new WebhookSink("webhook-0", config, http, timer, counter, clock);
        sinks.add(sink);
        return sink;
    }

    static ImportEvent failed(String target) {
        return new ImportEvent(ImportEvent.Kind.STATE_CHANGE, target, "importing", "error", "importer_import_failed", true,
                Optional.of("64d51ea91558939980aab371"), new ImportCounts(100, 40, 2, 100, 0, 0), OptionalDouble.of(0.42),
                Instant.parse("2026-03-02T10:00:00Z"), Optional.empty());
    }

    private static String target(int i) {
        return String.format("site-%02d", i);
    }

    /** Every outcome for {@code events} events is in: each was sent alone, in a digest, or given up. */
    private void awaitOutcomes(int events) {
        await(events + " outcomes", () -> counter.total() >= events, () -> counter.counts.toString());
    }

    private List<String> texts() {
        return webhook.bodies().stream().map(b -> b.path("text").asText()).toList();
    }

    private StubMapping answer429(String body, Map<String, String> headers) {
        var response = aResponse().withStatus(429).withHeader("Content-Type", "application/json").withBody(body);
        headers.forEach(response::withHeader);
        return webhook.server.stubFor(post(urlEqualTo(PATH)).atPriority(1).willReturn(response));
    }

    @Test
    void thirty_simultaneous_changes_reach_a_rocketchat_hook_in_at_most_ten_posts_in_the_first_minute_with_every_target_named() {
        WebhookSink sink = sink(WebhookFormat.ROCKETCHAT); // default max_per_minute: 10

        IntStream.rangeClosed(1, 30).forEach(i -> sink.onEvent(failed(target(i))));
        awaitOutcomes(30);

        List<String> texts = texts();
        String all = String.join("\n", texts);
        assertTrue(texts.size() <= 10, texts.size() + " posts: " + all);
        for (int i = 1; i <= 30; i++) {
            String named = "*" + target(i) + "*";
            assertEquals(1, all.split(java.util.regex.Pattern.quote(named), -1).length - 1, target(i) + " is named once: " + all);
        }
        // How many go alone depends on how fast the hook answers: those offered while one is in
        // flight and more than the posts left in the minute go out as one digest (measured over runs: 2 to 10 posts).
        assertTrue(texts.stream().anyMatch(t -> t.startsWith(":bell: *")), "a digest: " + all);
        texts.forEach(t -> assertTrue(t.length() <= Digest.MAX_TEXT, t));
        assertEquals(texts.size(), counter.of(DeliveryQueue.SUCCESS), counter.counts.toString());
        assertEquals(30 - texts.size(), counter.of(DeliveryQueue.COALESCED), "every event has one outcome: " + counter.counts);
        assertEquals(0, counter.of(DeliveryQueue.DROPPED));
    }

    @Test
    void events_beyond_the_limit_wait_for_the_window_to_free_a_post_and_go_out_together() {
        WebhookSink sink = sink(WebhookFormat.ROCKETCHAT, 2);
        sink.onEvent(failed("a"));
        awaitOutcomes(1);
        clock.advance(Duration.ofSeconds(10));
        sink.onEvent(failed("b"));
        awaitOutcomes(2);

        clock.advance(Duration.ofSeconds(5));
        sink.onEvent(failed("c"));
        sink.onEvent(failed("d"));
        sink.onEvent(failed("e"));

        assertEquals(List.of(Duration.ofSeconds(45)), timer.pending(), "one wake-up, when the first post leaves the window");
        assertEquals(2, webhook.count(), "the limit holds");
        timer.advance(Duration.ofSeconds(44));
        assertEquals(2, webhook.count(), "still inside the minute");

        timer.advance(Duration.ofSeconds(1));
        awaitOutcomes(5);
        List<String> texts = texts();
        assertEquals(3, texts.size(), texts.toString());
        String digest = texts.get(2);
        assertTrue(digest.startsWith(":bell: *3 import events* on 3 targets"), digest);
        for (String t : List.of("c", "d", "e")) {
            assertTrue(digest.contains("*" + t + "*: import importing → *error*"), digest);
        }
        assertFalse(webhook.bodies().get(2).has("attachments"), "a digest is text only (no fields to get wrong)");
    }

    @Test
    void within_the_limit_each_event_is_its_own_message() {
        WebhookSink sink = sink(WebhookFormat.ROCKETCHAT);
        IntStream.rangeClosed(1, 4).forEach(i -> {
            sink.onEvent(failed(target(i)));
            awaitOutcomes(i);
        });

        assertEquals(4, webhook.count());
        webhook.bodies().forEach(b -> assertEquals(1, b.path("attachments").size(), b.toString()));
        assertEquals(0, counter.of(DeliveryQueue.COALESCED));
    }

    @Test
    void a_json_hook_with_a_limit_gets_a_digest_object_of_the_events_as_each_would_have_been_posted() {
        WebhookSink sink = sink(WebhookFormat.JSON, 1);
        sink.onEvent(failed("a"));
        awaitOutcomes(1);
        sink.onEvent(failed("b"));
        sink.onEvent(failed("c"));
        assertEquals(1, webhook.count());

        timer.advance(Duration.ofMinutes(1));
        awaitOutcomes(3);

        JsonNode single = webhook.bodies().get(0);
        JsonNode digest = webhook.bodies().get(1);
        assertAll(
                () -> assertEquals("state_change", single.path("kind").asText()),
                () -> assertEquals("digest", digest.path("kind").asText()),
                () -> assertEquals(2, digest.path("count").asInt()),
                () -> assertEquals(List.of("b", "c"), digest.path("events").findValuesAsText("target")),
                () -> assertEquals(Receiver.parse(EventJson.event(failed("b")).toString()), digest.path("events").get(0)));
    }

    @Test
    void a_json_hook_without_a_limit_gets_every_event_alone() {
        WebhookSink sink = sink(WebhookFormat.JSON);
        IntStream.rangeClosed(1, 30).forEach(i -> sink.onEvent(failed(target(i))));
        awaitOutcomes(30);

        assertEquals(30, webhook.count());
        assertEquals(30, counter.of(DeliveryQueue.SUCCESS));
        webhook.bodies().forEach(b -> assertEquals("state_change", b.path("kind").asText()));
    }

    @Test
    void a_429_from_a_rocketchat_hook_waits_the_seconds_its_body_names_and_the_retry_carries_what_queued_meanwhile()
            throws IOException {
        String body = Files.readString(Path.of("src/test/resources/fixtures/429.json"), StandardCharsets.UTF_8);
        StubMapping limited = answer429(body, Map.of()); // "You must wait 42 seconds", no Retry-After
        WebhookSink sink = sink(WebhookFormat.ROCKETCHAT);
        String log;
        try (LogCapture captured = LogCapture.start(false)) {
            sink.onEvent(failed("a"));
            await("the retry to be scheduled", () -> !timer.pending().isEmpty(), counter.counts::toString);
            assertEquals(List.of(Duration.ofSeconds(42)), timer.pending());
            webhook.remove(limited);
            sink.onEvent(failed("b"));
            sink.onEvent(failed("c"));

            timer.advance(Duration.ofSeconds(41));
            assertEquals(1, webhook.count(), "nothing goes out before the 42 s are up");
            timer.advance(Duration.ofSeconds(1));
            awaitOutcomes(4); // retry, then success and two coalesced
            log = captured.text();
        }

        assertEquals(1, counter.of(DeliveryQueue.RETRY));
        assertEquals(0, counter.of(DeliveryQueue.DROPPED));
        List<String> texts = texts();
        assertEquals(2, texts.size(), "the 429 and one retry: " + texts);
        assertTrue(texts.get(1).contains("*3 import events*") && texts.get(1).contains("*a*") && texts.get(1).contains("*c*"), texts.get(1));
        assertTrue(log.contains("event=delivery_rate_limited") && log.contains("retry_in=42s"), log);
        assertFalse(log.contains("/hooks/") || log.contains("canary"), log);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Retry-After: 7", "Retry-After: date", "X-RateLimit-Reset: epoch-ms"})
    void a_429_waits_as_its_headers_say(String header) {
        Map<String, String> headers = switch (header) {
            case "Retry-After: 7" -> Map.of("Retry-After", "7");
            case "Retry-After: date" -> Map.of("Retry-After", "Mon, 02 Mar 2026 10:00:07 GMT");
            default -> Map.of("X-RateLimit-Reset", String.valueOf(clock.instant().plusSeconds(7).toEpochMilli()));
        };
        StubMapping limited = answer429("{\"error\":\"slow down\"}", headers);
        WebhookSink sink = sink(WebhookFormat.JSON); // unlimited: a 429 still waits as told

        sink.onEvent(failed("a"));
        await("the retry to be scheduled", () -> !timer.pending().isEmpty());
        assertEquals(List.of(Duration.ofSeconds(7)), timer.pending());
        webhook.remove(limited);
        timer.advance(Duration.ofSeconds(7));
        awaitOutcomes(2);

        assertEquals(1, counter.of(DeliveryQueue.SUCCESS), counter.counts.toString());
        assertEquals(2, webhook.count());
    }

    @Test
    void a_500_from_a_rocketchat_hook_is_rejected_after_three_attempts_with_a_log_line_to_check_the_hook_url() {
        webhook.answer(500);
        WebhookSink sink = sink(WebhookFormat.ROCKETCHAT);
        String log;
        try (LogCapture captured = LogCapture.start(false)) {
            sink.onEvent(failed("a"));
            for (int attempt = 1; attempt < 3; attempt++) {
                int sent = attempt;
                await("attempt " + sent + " and its backoff", () -> webhook.count() == sent && timer.pending().size() == 1);
                advanceToTheRetry();
            }
            await("the rejection", () -> counter.of(DeliveryQueue.REJECTED) == 1, counter.counts::toString);
            log = captured.text();
        }

        assertEquals(3, webhook.count());
        assertEquals(2, counter.of(DeliveryQueue.RETRY));
        assertEquals(0, counter.of(DeliveryQueue.DROPPED));
        assertTrue(timer.pending().isEmpty(), "nothing more is tried");
        assertTrue(log.contains("event=delivery_rejected") && log.contains("HTTP 500 after 3 attempts: check the hook URL"), log);
        assertFalse(log.contains("/hooks/") || log.contains("canary"), log);
    }

    @Test
    void a_500_from_a_json_hook_is_still_retried_five_times() {
        webhook.answer(500);
        WebhookSink sink = sink(WebhookFormat.JSON);
        sink.onEvent(failed("a"));
        for (int attempt = 1; attempt < DeliveryQueue.MAX_ATTEMPTS; attempt++) {
            int sent = attempt;
            await("attempt " + sent, () -> webhook.count() == sent && timer.pending().size() == 1);
            advanceToTheRetry();
        }
        await("giving up", () -> counter.of(DeliveryQueue.DROPPED) == 1, counter.counts::toString);
        assertEquals(DeliveryQueue.MAX_ATTEMPTS, webhook.count());
        assertEquals(0, counter.of(DeliveryQueue.REJECTED));
    }

    /**
     * Exactly to the pending retry, not past it: an answer that arrives while the timer runs the
     * retry schedules the next one after this point, so each advance makes exactly one attempt.
     */
    private void advanceToTheRetry() {
        timer.advance(timer.pending().get(0));
    }
}
