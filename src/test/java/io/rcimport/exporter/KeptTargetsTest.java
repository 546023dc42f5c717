package io.rcimport.exporter;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.alert.AlertEvaluator;
import io.rcimport.exporter.alert.AlertSink;
import io.rcimport.exporter.alert.ImportEvent;
import io.rcimport.exporter.rocketchat.ImportStatusParser;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.status.SnapshotTransition;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.storage.SavedState.SavedTarget;
import io.rcimport.exporter.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A restart in memory: one agent's store and evaluator are kept through {@link KeptTargets},
 * a second pair starts from what was kept, and its first poll is judged against it.
 */
class KeptTargetsTest {
    private static final Duration STALL_AFTER = Duration.ofMinutes(10);
    private static final Duration STALE_AFTER = Duration.ofMinutes(1);

    private final TestClock clock = TestClock.at("2021-10-26T20:53:00Z"); // the Slack fixture's heartbeat + 36 s

    /** Everything the sinks heard. */
    private static final class Heard implements AlertSink {
        final List<ImportEvent> events = new ArrayList<>();
        final List<Alert> resolved = new ArrayList<>();
        final List<Collection<Alert>> firing = new ArrayList<>();

        @Override
        public void onEvent(ImportEvent event) {
            events.add(event);
        }

        @Override
        public void onAlerts(Collection<Alert> nowFiring, Collection<Alert> justResolved) {
            firing.add(List.copyOf(nowFiring));
            resolved.addAll(justResolved);
        }
    }

    /** One agent's memory. */
    private final class Agentish {
        final StatusStore store = new StatusStore(List.of("main"), clock, STALL_AFTER);
        final Heard heard = new Heard();
        final AlertEvaluator alerts = new AlertEvaluator(clock, STALE_AFTER, List.of(heard));

        Agentish() {
            store.addListener(alerts::onChange);
        }

        SnapshotTransition.Change poll(String fixture) throws Exception {
            byte[] body = bytes(fixture);
            return store.update("main", new PollResult.Success(ImportStatusParser.parse(body), body, OptionalLong.empty())).orElseThrow();
        }

        SavedTarget kept() {
            return KeptTargets.saved(store.get("main").orElseThrow(), alerts.firing());
        }

        void startFrom(SavedTarget kept) {
            KeptTargets.Restored r = KeptTargets.restore(kept);
            store.restore(List.of(r.snapshot()));
            alerts.restore(r.alerts());
        }
    }

    @Test
    void a_restored_target_shows_its_last_status_marked_stale_and_not_polled() throws Exception {
        Agentish before = new Agentish();
        before.poll("status-importing-slack.json");
        Agentish after = new Agentish();
        after.startFrom(before.kept());

        TargetSnapshot s = after.store.get("main").orElseThrow();
        assertAll(
                () -> assertEquals("importing", s.state().label()),
                () -> assertTrue(s.restored()),
                () -> assertTrue(s.stale(clock.instant(), STALE_AFTER), "stale until a poll confirms it"),
                () -> assertFalse(s.polled(), "/ready still waits for a real poll"),
                () -> assertEquals(new String(bytes("status-importing-slack.json"), StandardCharsets.UTF_8),
                        new String(s.raw().orElseThrow().body(), StandardCharsets.UTF_8)));
    }

    @Test
    void a_change_while_the_agent_was_down_is_reported_as_seen_after_the_restart_and_the_ended_stall_resolves() throws Exception {
        Agentish before = new Agentish();
        before.poll("status-importing-slack.json");
        clock.set(Instant.parse("2021-10-26T21:02:24.211Z")); // stall_after since the heartbeat
        before.poll("status-importing-slack.json");
        Alert stalled = before.alerts.firing().iterator().next();
        assertEquals(Alert.STALLED, stalled.name());
        SavedTarget kept = before.kept();

        clock.advance(Duration.ofMinutes(2)); // down; meanwhile the import finished
        Agentish after = new Agentish();
        after.startFrom(kept);
        SnapshotTransition.Change first = after.poll("status-done.json");

        assertTrue(first.transition().orElseThrow().afterRestart());
        ImportEvent change = after.heard.events.stream().filter(e -> e.kind() == ImportEvent.Kind.STATE_CHANGE).findFirst().orElseThrow();
        assertAll(
                () -> assertEquals("importing", change.from()),
                () -> assertEquals("done", change.to()),
                () -> assertTrue(change.afterRestart()),
                () -> assertEquals(List.of(Alert.STALLED), after.heard.resolved.stream().map(Alert::name).toList(),
                        "the stall that ended while the agent was down is resolved"),
                () -> assertTrue(after.heard.events.stream().anyMatch(e -> e.kind() == ImportEvent.Kind.ALERT_RESOLVED
                        && e.alert().orElseThrow().name().equals(Alert.STALLED)), "and the webhooks hear it"));
    }

    @Test
    void an_alert_that_still_holds_keeps_its_starts_at_and_is_not_announced_again() throws Exception {
        Agentish before = new Agentish();
        before.poll("status-failed.json");
        Instant firstFired = before.alerts.firing().iterator().next().startsAt();
        SavedTarget kept = before.kept();

        clock.advance(Duration.ofMinutes(3));
        Agentish after = new Agentish();
        after.startFrom(kept);
        after.poll("status-failed.json");

        Alert failed = after.alerts.firing().iterator().next();
        assertEquals(firstFired, failed.startsAt());
        assertTrue(after.heard.events.isEmpty(), "no state change, no second firing: " + after.heard.events);
        assertEquals(List.of(), after.heard.resolved);
    }

    @Test
    void the_rate_is_there_at_the_first_poll_after_a_restart() throws Exception {
        Agentish before = new Agentish();
        Instant start = Instant.parse("2026-05-02T10:00:00Z");
        clock.set(start);
        for (int i = 0; i <= 12; i++) { // a minute of polls every 5 s, 50 records every 10 s
            clock.set(start.plusSeconds(5L * i));
            before.store.update("main", importing(50L * (i / 2), start.plusSeconds(10L * (i / 2))));
        }
        assertTrue(before.store.get("main").orElseThrow().recordsPerSecond().getAsDouble() > 0);
        SavedTarget kept = before.kept();

        clock.advance(Duration.ofSeconds(30)); // restart
        Agentish after = new Agentish();
        after.startFrom(kept);
        TargetSnapshot first = after.store.update("main", importing(600, clock.instant())).orElseThrow().current();
        assertTrue(first.recordsPerSecond().isPresent() && first.recordsPerSecond().getAsDouble() > 0,
                "rate at the first poll: " + first.recordsPerSecond());
        assertTrue(first.etaSeconds().isPresent(), "and the ETA");
    }

    private static PollResult.Success importing(long processed, Instant heartbeat) {
        String body = "{\"state\":\"importing\",\"operation\":{\"_id\":\"op1\",\"type\":\"api\",\"importerKey\":\"api\","
                + "\"ts\":\"2026-05-02T09:00:00Z\",\"status\":\"importer_importing_users\",\"valid\":true,"
                + "\"_updatedAt\":\"" + heartbeat + "\",\"count\":{\"total\":5000,\"completed\":" + processed + ",\"users\":5000}},\"success\":true}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            return new PollResult.Success(ImportStatusParser.parse(bytes), bytes, OptionalLong.empty());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
