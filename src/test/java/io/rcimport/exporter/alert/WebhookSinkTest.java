package io.rcimport.exporter.alert;

import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.Eventually.pause;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.TestClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** State changes and alert starts/ends posted to a WireMock webhook. */
class WebhookSinkTest {
    private static final String CANARY = "Zq7-canary-S3CRET-value";
    private static final String PATH = "/hooks/6a1f00c2/" + CANARY;
    private static final Duration POLL = Duration.ofSeconds(15);

    // status-importing-slack.json was last written at 2021-10-26T20:52:24.211Z: fresh at this time
    private final TestClock clock = TestClock.at("2021-10-26T20:53:00Z");
    private final Polls main = new Polls("main", clock);
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new NamedThreads("test-webhook-timer"));
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2, new NamedThreads("test-webhook-http"));
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

    private WebhookSink sink(Config.WebhookFormat format) {
        return sink(webhook.url(), format, Map.of());
    }

    private WebhookSink sink(URI url, Config.WebhookFormat format, Map<String, Secret> headers) {
        WebhookSink sink = new WebhookSink("webhook-0", new Config.Webhook(url, format, headers), http, timer, counter);
        sinks.add(sink);
        return sink;
    }

    private AlertEvaluator evaluatorFor(WebhookSink sink) {
        return new AlertEvaluator(clock, Polls.STALE_AFTER, List.of(sink));
    }

    private void poll(AlertEvaluator evaluator, String fixture) {
        clock.advance(POLL);
        evaluator.onChange(main.answer(fixture));
    }

    private static ImportEvent stateChange(int n) {
        return new ImportEvent(ImportEvent.Kind.STATE_CHANGE, "main", "importing", "error", "importer_import_failed", true,
                Optional.of("64d51ea91558939980aab371"), new ImportCounts(100, n, 0, 100, 0, 0), OptionalDouble.of(n / 100.0),
                Instant.parse("2023-08-10T18:00:00Z").plusSeconds(n), Optional.empty());
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static URI nothingListening() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port + PATH);
    }

    @Test
    void json_events_carry_the_targets_labels_read_when_sent() {
        Map<String, String> labels = new java.util.concurrent.ConcurrentHashMap<>(Map.of("team", "payments"));
        WebhookSink sink = new WebhookSink("webhook-0", new Config.Webhook(webhook.url(), Config.WebhookFormat.JSON, Map.of()),
                http, timer, counter, clock, target -> target.equals("main") ? Map.copyOf(labels) : Map.of());
        sinks.add(sink);

        sink.onEvent(stateChange(1));
        await("one post", () -> webhook.count() == 1);
        labels.put("env", "prod");
        sink.onEvent(stateChange(2));
        await("two posts", () -> webhook.count() == 2);

        assertEquals(Receiver.parse("{\"team\":\"payments\"}"), webhook.bodies().get(0).path("labels"));
        assertEquals(Map.of("team", "payments", "env", "prod"),
                new com.fasterxml.jackson.databind.ObjectMapper().convertValue(webhook.bodies().get(1).path("labels"), Map.class));
    }

    @Test
    void the_json_format_posts_each_event_as_documented() {
        AlertEvaluator evaluator = evaluatorFor(sink(Config.WebhookFormat.JSON));
        poll(evaluator, "status-importing-slack.json");
        poll(evaluator, "status-failed.json");
        Instant failedAt = clock.instant();

        await("the state change and the alert", () -> webhook.count() == 2);
        assertEquals("application/json", webhook.requests().get(0).getHeader("Content-Type"));
        JsonNode change = webhook.bodies().get(0);
        JsonNode firing = webhook.bodies().get(1);
        assertAll("state change",
                () -> assertEquals(List.of("kind", "target", "from", "to", "status", "valid", "operation_id", "counts",
                        "progress", "at", "alert", "after_restart", "labels"), names(change)),
                () -> assertEquals(Receiver.parse("{}"), change.path("labels"), "a target without labels has {}"),
                () -> assertEquals("state_change", change.path("kind").asText()),
                () -> assertEquals("main", change.path("target").asText()),
                () -> assertEquals("importing", change.path("from").asText()),
                () -> assertEquals("error", change.path("to").asText()),
                () -> assertEquals("importer_import_failed", change.path("status").asText()),
                () -> assertTrue(change.path("valid").isBoolean() && change.path("valid").booleanValue()),
                () -> assertEquals("64d51ea91558939980aab371", change.path("operation_id").asText()),
                () -> assertEquals(Receiver.parse("{\"total\":18250,\"completed\":1200,\"error\":3,\"users\":250,"
                        + "\"channels\":40,\"messages\":17960,\"contacts\":0}"), change.path("counts")),
                () -> assertEquals(1203.0 / 18250, change.path("progress").asDouble(), 1e-9),
                () -> assertEquals(failedAt.toString(), change.path("at").asText()),
                () -> assertTrue(change.path("alert").isNull(), "a state change carries no alert"));
        JsonNode alert = firing.path("alert");
        assertAll("alert firing",
                () -> assertEquals("alert_firing", firing.path("kind").asText()),
                () -> assertEquals(List.of("alertname", "severity", "summary", "description", "starts_at"), names(alert)),
                () -> assertEquals("RocketChatImportFailed", alert.path("alertname").asText()),
                () -> assertEquals("critical", alert.path("severity").asText()),
                () -> assertTrue(alert.path("summary").asText().contains("main"), alert.toString()),
                () -> assertTrue(alert.path("description").asText().contains("importer_import_failed"), alert.toString()),
                () -> assertEquals(failedAt.toString(), alert.path("starts_at").asText()));
    }

    @Test
    void an_event_without_an_operation_has_null_operation_id_and_progress() {
        AlertEvaluator evaluator = evaluatorFor(sink(Config.WebhookFormat.JSON));
        poll(evaluator, "status-none.json");
        clock.advance(Duration.ofMinutes(2));
        evaluator.onChange(main.fail(Outcome.UNAUTHORIZED, "You must be logged in to do this."));

        await("the alert", () -> webhook.count() == 1);
        JsonNode down = webhook.bodies().get(0);
        assertAll(
                () -> assertEquals("alert_firing", down.path("kind").asText()),
                () -> assertEquals("none", down.path("to").asText()),
                () -> assertTrue(down.path("operation_id").isNull(), down.toString()),
                () -> assertTrue(down.path("progress").isNull(), down.toString()),
                () -> assertEquals(0, down.path("counts").path("total").asInt()),
                () -> assertEquals("RocketChatImportTargetDown", down.path("alert").path("alertname").asText()),
                () -> assertEquals("critical", down.path("alert").path("severity").asText()));
    }

    @Test
    void the_rocketchat_format_posts_a_readable_incoming_webhook_message_coloured_by_severity() {
        AlertEvaluator evaluator = evaluatorFor(sink(Config.WebhookFormat.ROCKETCHAT));
        poll(evaluator, "status-importing-slack.json");
        poll(evaluator, "status-failed.json");
        poll(evaluator, "status-ready.json");

        await("four messages", () -> webhook.count() == 4);
        List<JsonNode> messages = webhook.bodies();
        for (JsonNode m : messages) {
            assertEquals(List.of("text", "attachments"), names(m), m.toString());
            assertEquals(1, m.path("attachments").size(), m.toString());
        }
        JsonNode failed = messages.get(0);
        JsonNode firing = messages.get(1);
        JsonNode newImport = messages.get(2);
        JsonNode resolved = messages.get(3);
        assertAll(
                () -> assertTrue(failed.path("text").asText().contains("*main*: import importing → *error*"), failed.toString()),
                () -> assertTrue(failed.path("text").asText().contains("importer_import_failed"), failed.toString()),
                () -> assertEquals("#f5455c", failed.path("attachments").get(0).path("color").asText(), "error is red"),
                () -> assertTrue(firing.path("text").asText().contains("FIRING"), firing.toString()),
                () -> assertTrue(firing.path("text").asText().contains("RocketChatImportFailed [critical]"), firing.toString()),
                () -> assertTrue(firing.path("text").asText().contains("*main*"), firing.toString()),
                () -> assertEquals("#f5455c", firing.path("attachments").get(0).path("color").asText(), "critical is red"),
                () -> assertTrue(newImport.path("text").asText().contains("*main*: import error → *ready*"), newImport.toString()),
                () -> assertTrue(resolved.path("text").asText().contains("RESOLVED"), resolved.toString()),
                () -> assertEquals("#2de0a5", resolved.path("attachments").get(0).path("color").asText(), "resolved is green"));
    }

    @Test
    void a_warning_alert_is_yellow_in_rocketchat() {
        AlertEvaluator evaluator = evaluatorFor(sink(Config.WebhookFormat.ROCKETCHAT));
        poll(evaluator, "status-error-after-restart.json");

        await("the alert", () -> webhook.count() == 1);
        JsonNode firing = webhook.bodies().get(0);
        assertTrue(firing.path("text").asText().contains("RocketChatImportFailed [warning]"), firing.toString());
        assertEquals("#ffd21f", firing.path("attachments").get(0).path("color").asText());
    }

    @Test
    void custom_headers_reach_the_webhook_but_neither_they_nor_the_url_path_reach_the_log() {
        StubMapping failing = webhook.answer(500);
        WebhookSink sink = sink(webhook.url(), Config.WebhookFormat.JSON,
                Map.of("Authorization", Secret.of("Bearer " + CANARY), "X-Api-Key", Secret.of(CANARY)));
        String log;
        try (LogCapture captured = LogCapture.start(false)) {
            sink.onEvent(stateChange(1));
            await("a failure to be logged", () -> captured.text().contains("event=delivery_failed"));
            webhook.remove(failing);
            webhook.answer(400);
            await("the rejection to be logged", () -> captured.text().contains("event=delivery_rejected"));
            log = captured.text();
        }

        LoggedRequest request = webhook.requests().get(0);
        assertEquals("Bearer " + CANARY, request.getHeader("Authorization"), "the value is revealed on the wire");
        assertEquals(CANARY, request.getHeader("X-Api-Key"));
        assertTrue(log.contains("sink=webhook-0"), log);
        assertTrue(log.contains("HTTP 500") && log.contains("HTTP 400"), log);
        assertFalse(log.contains("canary"), log);
        assertFalse(log.contains("/hooks/"), "the path may hold a token: " + log);
    }

    @Test
    void a_webhook_answering_500_is_retried_with_growing_backoff_until_it_accepts() {
        StubMapping failing = webhook.answer(500);
        WebhookSink sink = sink(Config.WebhookFormat.JSON);

        sink.onEvent(stateChange(1));

        await("three attempts", () -> webhook.count() >= 3);
        List<LoggedRequest> attempts = webhook.requests();
        long firstGap = attempts.get(1).getLoggedDate().getTime() - attempts.get(0).getLoggedDate().getTime();
        long secondGap = attempts.get(2).getLoggedDate().getTime() - attempts.get(1).getLoggedDate().getTime();
        assertTrue(firstGap >= 450, "first backoff at least half of 1 s: " + firstGap + " ms");
        assertTrue(secondGap >= 950, "second backoff at least half of 2 s: " + secondGap + " ms");
        assertEquals(attempts.get(0).getBodyAsString(), attempts.get(2).getBodyAsString(), "the same event again");
        webhook.remove(failing);

        await("the event to be accepted", () -> counter.of(DeliveryQueue.SUCCESS) == 1, () -> counter.counts.toString());
        assertTrue(counter.of(DeliveryQueue.RETRY) >= 3, counter.counts.toString());
        assertEquals(0, counter.of(DeliveryQueue.DROPPED));
        assertEquals(1, webhook.bodiesAnswered(200).size());
    }

    @Test
    void a_webhook_answering_400_is_rejected_and_not_retried() {
        webhook.answer(400);
        WebhookSink sink = sink(Config.WebhookFormat.JSON);

        sink.onEvent(stateChange(1));

        await("the rejection", () -> counter.of(DeliveryQueue.REJECTED) == 1);
        pause(Duration.ofMillis(1500)); // longer than the first backoff could be
        assertEquals(1, webhook.count());
        assertEquals(0, counter.of(DeliveryQueue.RETRY));
    }

    @Test
    void a_dead_webhook_keeps_a_bounded_queue_and_counts_what_it_drops() throws IOException {
        WebhookSink sink = sink(nothingListening(), Config.WebhookFormat.JSON, Map.of());
        int events = 1000;

        for (int i = 0; i < events; i++) {
            sink.onEvent(stateChange(i % 100));
        }

        // one in flight (connection refused, retrying for seconds) and QUEUE_CAPACITY waiting
        assertEquals(events - 1 - WebhookSink.QUEUE_CAPACITY, counter.of(DeliveryQueue.DROPPED));
        await("the first retry", () -> counter.of(DeliveryQueue.RETRY) >= 1);
    }

    @Test
    void a_failed_delivery_is_logged_with_what_went_wrong() throws IOException {
        WebhookSink sink = sink(nothingListening(), Config.WebhookFormat.JSON, Map.of());
        String log;
        try (LogCapture captured = LogCapture.start(false)) {
            sink.onEvent(stateChange(1));
            await("the failure to be logged", () -> captured.text().contains("event=delivery_failed"));
            log = captured.text();
        }

        assertTrue(log.contains("msg=\"ConnectException\""), "connection refused, not a wrapper: " + log);
    }

    @Test
    void the_poller_never_waits_for_a_hanging_webhook() {
        webhook.answerAfter(200, 3000);
        AlertEvaluator evaluator = evaluatorFor(sink(Config.WebhookFormat.ROCKETCHAT));

        for (int i = 0; i < 30; i++) {
            poll(evaluator, "status-ready.json");
            poll(evaluator, "status-failed.json");
        }

        assertEquals(0, counter.total(), "60 polls and their 118 events went by before the first answer came back");
        await("the first message to get through", () -> counter.of(DeliveryQueue.SUCCESS) == 1);
    }
}
