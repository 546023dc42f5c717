package io.rcimport.exporter.alert;

import static io.rcimport.exporter.alert.ImportEvent.Kind.ALERT_FIRING;
import static io.rcimport.exporter.alert.ImportEvent.Kind.ALERT_RESOLVED;
import static io.rcimport.exporter.alert.ImportEvent.Kind.STATE_CHANGE;
import static io.rcimport.exporter.alert.Polls.STALE_AFTER;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.status.SnapshotTransition;
import io.rcimport.exporter.testing.Eventually;
import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {
    private static final Duration POLL = Duration.ofSeconds(15);

    // status-importing-slack.json was last written at 2021-10-26T20:52:24.211Z: fresh at this time
    private final TestClock clock = TestClock.at("2021-10-26T20:53:00Z");
    private final Polls main = new Polls("main", clock);
    private final RecordingSink sink = new RecordingSink();
    private final AlertEvaluator evaluator = new AlertEvaluator(clock, STALE_AFTER, List.of(sink));

    private void poll(String fixture) {
        clock.advance(POLL);
        evaluator.onChange(main.answer(fixture));
    }

    private void pollFails(Outcome outcome) {
        clock.advance(POLL);
        evaluator.onChange(main.fail(outcome, "poll failed: " + outcome.label()));
    }

    private static Set<String> keys(Collection<Alert> alerts) {
        return alerts.stream().map(Alert::key).collect(Collectors.toSet());
    }

    @Test
    void the_first_poll_is_not_a_state_change() {
        poll("status-importing-slack.json");

        assertEquals(List.of(), sink.events);
        assertEquals(1, sink.deliveries.size(), "the sinks hear of every evaluation");
        assertEquals(List.of(), sink.lastDelivery().firing());
    }

    @Test
    void every_state_change_is_published_once_including_the_one_to_done() {
        poll("status-importing-slack.json");
        poll("status-importing-slack.json");
        poll("status-done.json");
        Instant doneAt = clock.instant();
        poll("status-done.json");
        poll("status-done.json");

        // status-done.json has 12 failed records: CompletedWithErrors fires once beside the change.
        assertEquals(List.of(STATE_CHANGE, ALERT_FIRING), sink.kinds());
        ImportEvent e = sink.events.get(0);
        assertAll(
                () -> assertEquals("main", e.target()),
                () -> assertEquals("importing", e.from()),
                () -> assertEquals("done", e.to()),
                () -> assertEquals("importer_done", e.status()),
                () -> assertTrue(e.valid()),
                () -> assertEquals(Optional.of("MJxTRZsYdho8Ww2qq"), e.operationId()),
                () -> assertEquals(new ImportCounts(18250, 18238, 12, 250, 40, 17960), e.counts()),
                () -> assertEquals(1.0, e.progress().getAsDouble(), 1e-9),
                () -> assertEquals(doneAt, e.at()),
                () -> assertEquals(Optional.empty(), e.alert()));
    }

    @Test
    void a_new_import_after_a_finished_one_is_published_as_each_step_happens() {
        poll("status-done.json");
        poll("status-ready.json");
        poll("status-importing-slack.json");
        poll("status-failed.json");

        List<String> steps = sink.events.stream()
                .filter(e -> e.kind() == STATE_CHANGE)
                .map(e -> e.from() + "->" + e.to())
                .toList();
        assertEquals(List.of("done->ready", "ready->importing", "importing->error"), steps);
    }

    @Test
    void an_alert_starts_once_and_keeps_its_start_across_polls() {
        poll("status-importing-slack.json");
        poll("status-failed.json");
        Instant failedAt = clock.instant();
        poll("status-failed.json");
        poll("status-failed.json");

        assertEquals(List.of(STATE_CHANGE, ALERT_FIRING), sink.kinds(), "one start, not one per poll");
        ImportEvent firing = sink.events.get(1);
        Alert alert = firing.alert().orElseThrow();
        assertAll(
                () -> assertEquals(Alert.FAILED, alert.name()),
                () -> assertEquals(Severity.CRITICAL, alert.severity()),
                () -> assertEquals(failedAt, alert.startsAt()),
                () -> assertEquals("error", firing.from()),
                () -> assertEquals("error", firing.to()),
                () -> assertEquals("importer_import_failed", firing.status()),
                () -> assertEquals(Optional.of("64d51ea91558939980aab371"), firing.operationId()),
                () -> assertEquals(failedAt, firing.at()));
        for (RecordingSink.Delivery d : sink.deliveries.subList(1, sink.deliveries.size())) {
            assertEquals(List.of(failedAt), d.firing().stream().map(Alert::startsAt).toList(), d.toString());
            assertEquals(List.of(), d.resolved());
        }
        assertEquals(failedAt, evaluator.firing().iterator().next().startsAt());
    }

    @Test
    void an_alert_resolves_once_when_the_target_recovers() {
        poll("status-failed.json");
        Instant failedAt = clock.instant();
        poll("status-failed.json");
        poll("status-ready.json"); // a new import replaced the failed one
        Instant recoveredAt = clock.instant();
        poll("status-ready.json");

        assertEquals(List.of(ALERT_FIRING, STATE_CHANGE, ALERT_RESOLVED), sink.kinds());
        ImportEvent resolved = sink.events.get(2);
        assertAll(
                () -> assertEquals(Alert.FAILED, resolved.alert().orElseThrow().name()),
                () -> assertEquals(failedAt, resolved.alert().orElseThrow().startsAt()),
                () -> assertEquals(recoveredAt, resolved.at()),
                () -> assertEquals("ready", resolved.to()));
        List<RecordingSink.Delivery> d = sink.deliveries;
        assertEquals(4, d.size());
        assertEquals(List.of(Alert.FAILED), d.get(2).resolved().stream().map(Alert::name).toList());
        assertEquals(List.of(), d.get(2).firing());
        assertEquals(List.of(), d.get(3).resolved(), "resolved is said once");
        assertEquals(List.of(), List.copyOf(evaluator.firing()));
    }

    @Test
    void a_target_that_stops_answering_is_down_after_stale_after_and_back_when_it_answers() {
        poll("status-importing-slack.json");
        pollFails(Outcome.TIMEOUT); // 15 s without a good poll
        pollFails(Outcome.TIMEOUT); // 30 s
        pollFails(Outcome.TIMEOUT); // 45 s
        pollFails(Outcome.TIMEOUT); // 60 s: exactly stale_after
        assertEquals(List.of(), sink.events, "not down before stale_after");

        pollFails(Outcome.TIMEOUT); // 75 s
        pollFails(Outcome.TIMEOUT);
        poll("status-importing-slack.json");

        assertEquals(List.of(ALERT_FIRING, ALERT_RESOLVED), sink.kinds(), "failed polls are no state change");
        Alert down = sink.events.get(0).alert().orElseThrow();
        assertEquals(Alert.TARGET_DOWN, down.name());
        assertEquals(Severity.WARNING, down.severity());
        assertEquals(down, sink.events.get(1).alert().orElseThrow());
    }

    @Test
    void a_target_that_has_never_answered_is_down_only_after_stale_after_of_failed_polls() {
        pollFails(Outcome.CONNECTION_ERROR); // the agent's first poll
        Instant firstPoll = clock.instant();
        pollFails(Outcome.CONNECTION_ERROR);
        pollFails(Outcome.CONNECTION_ERROR);
        pollFails(Outcome.CONNECTION_ERROR);
        pollFails(Outcome.CONNECTION_ERROR); // exactly stale_after since the first poll
        assertEquals(List.of(), sink.events, "one failed poll at start-up is not a target down");

        pollFails(Outcome.CONNECTION_ERROR);

        assertEquals(List.of(ALERT_FIRING), sink.kinds());
        Alert down = sink.events.get(0).alert().orElseThrow();
        assertEquals(Alert.TARGET_DOWN, down.name());
        assertEquals(firstPoll.plus(STALE_AFTER).plus(POLL), down.startsAt());
        assertTrue(down.description().contains("since never"), down.description());
    }

    @Test
    void a_target_refusing_the_credentials_from_the_start_is_down_critical_after_stale_after() {
        Instant firstPoll = clock.instant().plus(POLL);
        while (!clock.instant().isAfter(firstPoll.plus(STALE_AFTER))) {
            assertEquals(List.of(), sink.events);
            pollFails(Outcome.UNAUTHORIZED);
        }

        assertEquals(List.of(ALERT_FIRING), sink.kinds());
        assertEquals(Severity.CRITICAL, sink.events.get(0).alert().orElseThrow().severity());
    }

    @Test
    void the_severity_of_a_firing_alert_follows_the_status_but_its_start_stays() {
        poll("status-error-after-restart.json");
        Instant since = clock.instant();
        assertEquals(Severity.WARNING, evaluator.firing().iterator().next().severity());

        poll("status-failed.json");

        Alert now = evaluator.firing().iterator().next();
        assertEquals(Severity.CRITICAL, now.severity());
        assertEquals(since, now.startsAt());
        assertEquals(1, evaluator.firing().size(), "same alertname and target: an update, not a new alert");
        assertEquals(List.of(ALERT_FIRING, ALERT_FIRING), sink.kinds(), "webhooks hear the new severity");
        assertEquals(Severity.CRITICAL, sink.events.get(1).alert().orElseThrow().severity());
        assertEquals(since, sink.events.get(1).alert().orElseThrow().startsAt());
    }

    @Test
    void a_poll_of_one_target_leaves_the_alerts_of_another_alone() {
        Polls other = new Polls("other", clock);
        poll("status-failed.json");
        evaluator.onChange(other.answer("status-none.json"));
        evaluator.onChange(other.answer("status-none.json"));

        assertEquals(Set.of("RocketChatImportFailed/main"), keys(evaluator.firing()));
        assertEquals(Set.of("RocketChatImportFailed/main"), keys(sink.lastDelivery().firing()),
                "the sinks get every target's firing alerts");
        assertEquals(List.of(ALERT_FIRING), sink.kinds());
    }

    @Test
    void a_removed_target_resolves_its_alerts() {
        poll("status-canceled.json");

        evaluator.removeTarget("main");

        assertEquals(List.of(), List.copyOf(evaluator.firing()));
        assertEquals(List.of(Alert.CANCELED), sink.lastDelivery().resolved().stream().map(Alert::name).toList());
        assertEquals(List.of(), sink.lastDelivery().firing());
    }

    @Test
    void a_throwing_sink_breaks_neither_the_other_sinks_nor_the_poller() {
        AlertSink broken = new AlertSink() {
            @Override
            public void onEvent(ImportEvent event) {
                throw new IllegalStateException("broken sink: event");
            }

            @Override
            public void onAlerts(Collection<Alert> firing, Collection<Alert> resolved) {
                throw new IllegalStateException("broken sink: alerts");
            }
        };
        RecordingSink after = new RecordingSink();
        AlertEvaluator withBroken = new AlertEvaluator(clock, STALE_AFTER, List.of(broken, after));

        withBroken.onChange(main.answer("status-importing-slack.json"));
        clock.advance(POLL);
        withBroken.onChange(main.answer("status-failed.json"));
        clock.advance(POLL);
        withBroken.onChange(main.answer("status-ready.json"));

        assertEquals(List.of(STATE_CHANGE, ALERT_FIRING, STATE_CHANGE, ALERT_RESOLVED), after.kinds());
        assertEquals(3, after.deliveries.size(), "onAlerts reaches the sink after the broken one, every time");
        assertEquals(List.of(Alert.FAILED), after.deliveries.get(2).resolved().stream().map(Alert::name).toList());
    }

    /**
     * Two targets are polled on different threads. Target a's evaluation takes its view of the
     * firing alerts, then target b resolves its alert and delivers; a's view, delivered last,
     * must not bring b's resolved alert back to the sinks.
     */
    @Test
    void the_last_alert_set_the_sinks_receive_is_the_current_one_when_two_targets_are_evaluated_at_once()
            throws InterruptedException {
        Polls a = new Polls("a", clock);
        Polls b = new Polls("b", clock);
        CountDownLatch aIsDelivering = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        AlertSink slowForA = new AlertSink() {
            @Override
            public void onAlerts(Collection<Alert> firing, Collection<Alert> resolved) {
                if (Thread.currentThread().getName().equals("poll-a")) {
                    aIsDelivering.countDown();
                    try {
                        releaseA.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        RecordingSink recording = new RecordingSink();
        AlertEvaluator twoTargets = new AlertEvaluator(clock, STALE_AFTER, List.of(slowForA, recording));
        twoTargets.onChange(b.answer("status-canceled.json"));
        assertEquals(Set.of("RocketChatImportCanceled/b"), keys(twoTargets.firing()));
        SnapshotTransition.Change aFails = a.answer("status-failed.json");
        SnapshotTransition.Change bRecovers = b.answer("status-ready.json");

        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread pollA = new Thread(() -> twoTargets.onChange(aFails), "poll-a");
        Thread pollB = new Thread(() -> twoTargets.onChange(bRecovers), "poll-b");
        pollA.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        pollB.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        pollA.start();
        assertTrue(aIsDelivering.await(10, TimeUnit.SECONDS));
        pollB.start();
        // b either finishes (and delivers) or waits for a: both are allowed, a stale last word is not
        Eventually.await("poll-b to finish or wait", () -> pollB.getState() == Thread.State.TERMINATED
                || pollB.getState() == Thread.State.BLOCKED || pollB.getState() == Thread.State.WAITING);
        releaseA.countDown();
        pollA.join(10_000);
        pollB.join(10_000);

        assertEquals(null, failure.get());
        assertEquals(Set.of("RocketChatImportFailed/a"), keys(twoTargets.firing()));
        assertEquals(Set.of("RocketChatImportFailed/a"), keys(recording.lastDelivery().firing()),
                "the sinks' last view has b's canceled alert firing again: " + recording.deliveries);
    }
}
