package io.rcimport.exporter.alert;

import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.Eventually.pause;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.testing.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Alertmanager v2 push against WireMock Alertmanagers ({@code POST /api/v2/alerts}). */
class AlertmanagerSinkTest {
    private static final String PATH = "/api/v2/alerts";
    private static final URI EXTERNAL_URL = URI.create("http://agent.example:9467/");
    private static final Duration POLL = Duration.ofSeconds(15);
    private static final Duration FAST_RESEND = Duration.ofMillis(300);
    private static final Duration RARE_RESEND = Duration.ofMinutes(5);

    private final TestClock clock = TestClock.at("2023-08-10T18:05:00Z");
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new NamedThreads("test-alert-timer"));
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2, new NamedThreads("test-alert-http"));
    private final HttpClient http = HttpClient.newBuilder().executor(httpThreads).connectTimeout(Duration.ofSeconds(2)).build();
    private final RecordingCounter counter = new RecordingCounter();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop_everything() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        timer.shutdownNow();
        httpThreads.shutdownNow();
    }

    private Receiver alertmanager() {
        Receiver r = new Receiver(PATH).answering(200);
        toClose.add(r);
        return r;
    }

    private AlertmanagerSink sink(Duration pollInterval, Duration resend, Receiver... alertmanagers) {
        return sink(http, pollInterval, resend, alertmanagers);
    }

    private AlertmanagerSink sink(HttpClient client, Duration pollInterval, Duration resend, Receiver... alertmanagers) {
        List<URI> urls = java.util.Arrays.stream(alertmanagers).map(Receiver::base).toList();
        AlertmanagerSink sink = new AlertmanagerSink(urls, client, timer, clock, pollInterval, resend, EXTERNAL_URL, counter);
        toClose.add(0, sink);
        return sink;
    }

    /** The RocketChatImportFailed alert AlertConditions raises for fixtures/status-failed.json. */
    private Alert failedImport() {
        Polls main = new Polls("main", clock);
        main.answer("status-failed.json");
        List<Alert> alerts = AlertConditions.evaluate(main.current(), clock.instant(), Polls.STALE_AFTER, clock.instant());
        assertEquals(1, alerts.size());
        return alerts.get(0);
    }

    private Alert alert(String name, Severity severity, String target, Instant startsAt) {
        return new Alert(name, severity, target, Optional.of("64d51ea91558939980aab371"),
                name + " on " + target, "what happened to " + target, startsAt);
    }

    /** The entry of a payload with these labels, or null. */
    private static JsonNode entry(JsonNode payload, String alertname, String severity, String target) {
        for (JsonNode a : payload) {
            JsonNode l = a.path("labels");
            if (l.path("alertname").asText().equals(alertname) && l.path("severity").asText().equals(severity)
                    && l.path("target").asText().equals(target)) {
                return a;
            }
        }
        return null;
    }

    private static Predicate<JsonNode> has(String alertname, String severity, String target, Instant endsAt) {
        return payload -> {
            JsonNode e = entry(payload, alertname, severity, target);
            return e != null && e.path("endsAt").asText().equals(endsAt.toString());
        };
    }

    /** Waits for a payload that matches and returns it. */
    private static JsonNode awaitPayload(Receiver am, String what, Predicate<JsonNode> matches) {
        await(what, () -> am.bodies().stream().anyMatch(matches), () -> "; received " + am.bodies());
        return am.bodies().stream().filter(matches).findFirst().orElseThrow();
    }

    private static Map<String, String> fields(JsonNode object) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            m.put(f.getKey(), f.getValue().asText());
        }
        return m;
    }

    @Test
    void the_payload_is_an_array_of_v2_alerts_with_labels_annotations_times_and_a_link_back() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(POLL, RARE_RESEND, am);
        Alert failed = failedImport();
        clock.advance(Duration.ofSeconds(3));

        sink.onAlerts(List.of(failed), List.of());

        await("one push", () -> am.count() == 1);
        assertEquals("application/json", am.requests().get(0).getHeader("Content-Type"));
        JsonNode payload = am.bodies().get(0);
        assertTrue(payload.isArray(), payload.toString());
        assertEquals(1, payload.size(), payload.toString());
        JsonNode a = payload.get(0);
        assertAll(
                () -> assertEquals(Map.of("alertname", "RocketChatImportFailed", "severity", "critical",
                        "target", "main", "operation_id", "64d51ea91558939980aab371"), fields(a.path("labels"))),
                () -> assertEquals(Map.of("summary", failed.summary(), "description", failed.description(),
                                "runbook_url", "https://github.com/rcimport/rocketchat-import-exporter/blob/main/README.md#rocketchatimportfailed"),
                        fields(a.path("annotations"))),
                () -> assertEquals("2023-08-10T18:05:00Z", a.path("startsAt").asText()),
                () -> assertEquals("2023-08-10T18:25:03Z", a.path("endsAt").asText(), "now + 4 × max(15s, 5m)"),
                () -> assertEquals("http://agent.example:9467/status/main", a.path("generatorURL").asText()));
    }

    @Test
    void the_runbook_url_is_the_configured_base_and_the_alert_name_in_lower_case() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = new AlertmanagerSink(List.of(am.base()), http, timer, clock, POLL, RARE_RESEND,
                () -> EXTERNAL_URL, "https://wiki.example.com/runbooks/", counter);
        toClose.add(0, sink);

        sink.onAlerts(List.of(alert(Alert.STALLED, Severity.WARNING, "main", clock.instant())), List.of());

        await("one push", () -> am.count() == 1);
        assertEquals("https://wiki.example.com/runbooks/rocketchatimportstalled",
                am.bodies().get(0).get(0).path("annotations").path("runbook_url").asText());
    }

    @Test
    void a_targets_labels_are_added_to_its_alerts_labels_and_not_to_other_targets_alerts() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = new AlertmanagerSink(List.of(am.base()), http, timer, clock, POLL, RARE_RESEND,
                () -> EXTERNAL_URL, counter, target -> target.equals("main") ? Map.of("team", "payments", "env", "prod") : Map.of());
        toClose.add(0, sink);
        Alert down = new Alert(Alert.TARGET_DOWN, Severity.CRITICAL, "edge-2", Optional.empty(), "s", "d", clock.instant());

        sink.onAlerts(List.of(failedImport(), down), List.of());

        await("one push", () -> am.count() == 1);
        JsonNode payload = am.bodies().get(0);
        assertEquals(Map.of("alertname", "RocketChatImportFailed", "severity", "critical", "target", "main",
                        "operation_id", "64d51ea91558939980aab371", "team", "payments", "env", "prod"),
                fields(entry(payload, "RocketChatImportFailed", "critical", "main").path("labels")));
        assertEquals(Map.of("alertname", "RocketChatImportTargetDown", "severity", "critical", "target", "edge-2"),
                fields(entry(payload, "RocketChatImportTargetDown", "critical", "edge-2").path("labels")));
    }

    @Test
    void ends_at_is_four_resend_intervals_ahead_when_resending_is_slower_than_polling() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(Duration.ofSeconds(5), Duration.ofSeconds(20), am);

        sink.onAlerts(List.of(alert(Alert.STALLED, Severity.WARNING, "main", clock.instant())), List.of());

        awaitPayload(am, "a push", has(Alert.STALLED, "warning", "main", clock.instant().plusSeconds(80)));
    }

    @Test
    void ends_at_is_four_poll_intervals_ahead_when_polling_is_slower_than_resending() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(Duration.ofSeconds(30), Duration.ofSeconds(10), am);

        sink.onAlerts(List.of(alert(Alert.STALLED, Severity.WARNING, "main", clock.instant())), List.of());

        awaitPayload(am, "a push", has(Alert.STALLED, "warning", "main", clock.instant().plusSeconds(120)));
    }

    @Test
    void an_alert_without_a_known_operation_has_no_operation_id_label() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(POLL, RARE_RESEND, am);
        Alert down = new Alert(Alert.TARGET_DOWN, Severity.CRITICAL, "edge-2", Optional.empty(), "s", "d", clock.instant());

        sink.onAlerts(List.of(down), List.of());

        await("one push", () -> am.count() == 1);
        JsonNode labels = am.bodies().get(0).get(0).path("labels");
        assertEquals(Map.of("alertname", "RocketChatImportTargetDown", "severity", "critical", "target", "edge-2"),
                fields(labels));
    }

    @Test
    void every_configured_alertmanager_receives_the_alerts() {
        Receiver first = alertmanager();
        Receiver second = alertmanager();
        AlertmanagerSink sink = sink(POLL, RARE_RESEND, first, second);

        sink.onAlerts(List.of(failedImport()), List.of());

        await("a push to each", () -> first.count() == 1 && second.count() == 1,
                () -> first.count() + " and " + second.count());
        assertEquals(first.bodies(), second.bodies());
        await("both successes to be counted", () -> counter.of(DeliveryQueue.SUCCESS) == 2);
        assertEquals(1, counter.of("alertmanager-0", DeliveryQueue.SUCCESS));
        assertEquals(1, counter.of("alertmanager-1", DeliveryQueue.SUCCESS));
    }

    @Test
    void firing_alerts_are_re_sent_every_resend_interval_with_a_fresh_ends_at() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(POLL, FAST_RESEND, am);
        Instant start = clock.instant();
        sink.onAlerts(List.of(alert(Alert.FAILED, Severity.CRITICAL, "main", start)), List.of());

        await("the push and two re-sends", () -> am.count() >= 3);
        for (JsonNode payload : am.bodies()) {
            assertEquals(1, payload.size(), payload.toString());
        }
        Instant later = clock.advance(Duration.ofMinutes(1));

        JsonNode resent = awaitPayload(am, "a re-send computed at the new time",
                has(Alert.FAILED, "critical", "main", later.plusSeconds(60)));
        assertEquals(start.toString(), resent.get(0).path("startsAt").asText(), "startsAt stays");
    }

    @Test
    void a_resolved_alert_is_sent_with_its_end_re_sent_for_five_minutes_then_dropped() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(POLL, FAST_RESEND, am);
        Alert failed = alert(Alert.FAILED, Severity.CRITICAL, "main", clock.instant());
        Alert down = alert(Alert.TARGET_DOWN, Severity.WARNING, "edge-2", clock.instant());
        sink.onAlerts(List.of(failed, down), List.of());
        Instant resolvedAt = clock.advance(Duration.ofSeconds(30));

        sink.onAlerts(List.of(down), List.of(failed));

        JsonNode atResolve = awaitPayload(am, "the resolution", has(Alert.FAILED, "critical", "main", resolvedAt));
        assertEquals(2, atResolve.size(), "the still-firing alert goes with it: " + atResolve);
        assertTrue(has(Alert.TARGET_DOWN, "warning", "edge-2", resolvedAt.plusSeconds(60)).test(atResolve), atResolve.toString());

        Instant almostFive = clock.set(resolvedAt.plus(Duration.ofMinutes(5)).minusSeconds(1));
        JsonNode stillThere = awaitPayload(am, "a re-send just before five minutes",
                has(Alert.TARGET_DOWN, "warning", "edge-2", almostFive.plusSeconds(60)));
        assertTrue(has(Alert.FAILED, "critical", "main", resolvedAt).test(stillThere),
                "re-sent with its original end: " + stillThere);

        Instant afterFive = clock.set(resolvedAt.plus(Duration.ofMinutes(5)).plusSeconds(1));
        JsonNode gone = awaitPayload(am, "a re-send after five minutes",
                has(Alert.TARGET_DOWN, "warning", "edge-2", afterFive.plusSeconds(60)));
        assertEquals(1, gone.size(), "the resolved alert is no longer sent: " + gone);
    }

    @Test
    void once_the_last_resolved_alert_has_been_re_sent_for_five_minutes_nothing_more_is_sent() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(POLL, FAST_RESEND, am);
        Alert failed = alert(Alert.FAILED, Severity.CRITICAL, "main", clock.instant());
        sink.onAlerts(List.of(failed), List.of());
        Instant resolvedAt = clock.advance(Duration.ofSeconds(30));
        sink.onAlerts(List.of(), List.of(failed));
        await("the resolution and two re-sends of it", () -> am.bodies().stream()
                .filter(has(Alert.FAILED, "critical", "main", resolvedAt)).count() >= 3);

        clock.set(resolvedAt.plus(Duration.ofMinutes(5)).plusSeconds(1));
        pause(Duration.ofSeconds(1)); // lets a push begun before the clock moved arrive
        int before = am.count();
        pause(Duration.ofMillis(1500)); // five re-send intervals

        assertEquals(before, am.count(), "nothing left to say, nothing sent");
    }

    @Test
    void a_severity_change_ends_the_old_labelset_and_fires_the_new_one() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(POLL, RARE_RESEND, am);
        Instant start = clock.instant();
        sink.onAlerts(List.of(alert(Alert.FAILED, Severity.WARNING, "main", start)), List.of());
        await("the first push", () -> am.count() == 1);
        Instant changedAt = clock.advance(Duration.ofSeconds(15));

        sink.onAlerts(List.of(alert(Alert.FAILED, Severity.CRITICAL, "main", start)), List.of());

        JsonNode payload = awaitPayload(am, "the push after the change", p -> p.size() == 2);
        assertAll(
                () -> assertTrue(has(Alert.FAILED, "warning", "main", changedAt).test(payload), payload.toString()),
                () -> assertTrue(has(Alert.FAILED, "critical", "main", changedAt.plus(RARE_RESEND.multipliedBy(4))).test(payload),
                        payload.toString()),
                () -> assertEquals(start.toString(), entry(payload, Alert.FAILED, "critical", "main").path("startsAt").asText()));
    }

    @Test
    void an_unchanged_alert_set_is_not_pushed_again_before_the_resend_interval() {
        Receiver am = alertmanager();
        AlertmanagerSink sink = sink(POLL, RARE_RESEND, am);
        Alert failed = alert(Alert.FAILED, Severity.CRITICAL, "main", clock.instant());
        sink.onAlerts(List.of(failed), List.of());
        await("the first push", () -> am.count() == 1);

        for (int poll = 0; poll < 5; poll++) {
            clock.advance(POLL);
            sink.onAlerts(List.of(failed), List.of());
        }
        clock.advance(POLL);
        sink.onAlerts(List.of(failed, alert(Alert.STALLED, Severity.WARNING, "main", clock.instant())), List.of());

        JsonNode second = awaitPayload(am, "the push for the new alert", p -> p.size() == 2);
        assertEquals(2, am.count(), "polls that change nothing push nothing");
        assertEquals(2, second.size());
    }

    @Test
    void an_alertmanager_answering_503_for_a_while_gets_the_firing_alert_in_the_end() {
        Receiver sick = alertmanager();
        Receiver healthy = alertmanager();
        StubMapping unavailable = sick.answer(503);
        AlertmanagerSink sink = sink(POLL, FAST_RESEND, sick, healthy);

        sink.onAlerts(List.of(alert(Alert.FAILED, Severity.CRITICAL, "main", clock.instant())), List.of());

        await("the healthy one to get it", () -> counter.of("alertmanager-1", DeliveryQueue.SUCCESS) >= 1);
        await("two refusals", () -> sick.bodiesAnswered(503).size() >= 2);
        assertEquals(0, counter.of("alertmanager-0", DeliveryQueue.SUCCESS));
        assertTrue(counter.of("alertmanager-0", DeliveryQueue.RETRY) >= 1, counter.counts.toString());

        sick.remove(unavailable);

        await("the firing alert to be accepted", () -> sick.bodiesAnswered(200).stream()
                .anyMatch(p -> entry(p, Alert.FAILED, "critical", "main") != null), () -> counter.counts.toString());
        await("the success to be counted", () -> counter.of("alertmanager-0", DeliveryQueue.SUCCESS) >= 1);
    }

    /**
     * A re-send builds its payload from the old set; before it reaches the second Alertmanager,
     * a poll resolves the alert and pushes. The older payload must not arrive after the newer one.
     */
    @Test
    void a_re_send_racing_with_a_resolution_never_reaches_an_alertmanager_after_it() throws InterruptedException {
        Receiver first = alertmanager();
        Receiver second = alertmanager();
        GatedHttpClient gated = new GatedHttpClient(http);
        AlertmanagerSink sink = sink(gated, POLL, FAST_RESEND, first, second);
        Alert failed = alert(Alert.FAILED, Severity.CRITICAL, "main", clock.instant());
        sink.onAlerts(List.of(failed), List.of());
        await("the first push to be answered by both", () -> counter.of(DeliveryQueue.SUCCESS) >= 2);

        gated.holdNextSendFrom("test-alert-timer-1"); // the re-send, stopped after it offered to the first
        assertTrue(gated.awaitHeld());
        Instant resolvedAt = clock.advance(Duration.ofSeconds(15));
        Thread poller = new Thread(() -> sink.onAlerts(List.of(), List.of(failed)), "poller");
        poller.start();
        await("the poll's push to finish or wait", () -> poller.getState() == Thread.State.TERMINATED
                || poller.getState() == Thread.State.BLOCKED || poller.getState() == Thread.State.WAITING);
        gated.release();
        poller.join(10_000);

        Predicate<JsonNode> resolution = has(Alert.FAILED, "critical", "main", resolvedAt);
        await("the resolution and two re-sends of it at the second", () -> second.bodies().stream().filter(resolution).count() >= 3);
        List<JsonNode> received = second.bodies();
        int firstResolution = received.indexOf(received.stream().filter(resolution).findFirst().orElseThrow());
        for (JsonNode later : received.subList(firstResolution, received.size())) {
            assertTrue(resolution.test(later), "after the resolution the alert fired again: " + received);
        }
    }

    @Test
    void pushing_never_waits_for_a_hanging_alertmanager_and_only_the_newest_set_waits_behind_it() {
        Receiver am = alertmanager();
        am.answerAfter(200, 3000);
        AlertmanagerSink sink = sink(POLL, RARE_RESEND, am);
        List<Alert> firing = new ArrayList<>();

        for (int i = 0; i < 50; i++) {
            firing.add(alert(Alert.FAILED, Severity.CRITICAL, "t" + i, clock.instant()));
            sink.onAlerts(List.copyOf(firing), List.of());
        }

        assertEquals(0, counter.total(), "all 50 calls returned before the first answer came back");
        await("the first set and then the newest", () -> am.count() == 2, () -> "; got " + am.count());
        assertEquals(1, am.bodies().get(0).size());
        assertEquals(50, am.bodies().get(1).size(), "the sets in between were superseded");
        pause(Duration.ofMillis(500));
        assertEquals(2, am.count());
    }
}
