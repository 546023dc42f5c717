package io.rcimport.exporter.http;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.rocketchat.ImportStatusParser;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ServerVersion;
import io.rcimport.exporter.status.HeartbeatLimits;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The new fields of {@code /status} and {@code /status/{target}}: awaiting_operator, server_version, recent_operations. */
class StatusJsonTest {
    private final TestClock clock = TestClock.at("2026-11-30T09:42:41.907Z"); // 30 min after status-file-loaded's _updatedAt
    private final StatusStore store = new StatusStore(List.of("main"), clock,
            new HeartbeatLimits(Duration.ofMinutes(10), Duration.ofMinutes(30)));
    private final StatusJson json = new StatusJson(Duration.ofMinutes(1), name -> "closed");

    private TargetSnapshot poll(String fixture, Optional<ServerVersion> version, Optional<String> historyFixture) throws Exception {
        byte[] body = bytes(fixture);
        PollReport report = new PollReport(new PollResult.Success(ImportStatusParser.parse(body), body, OptionalLong.empty()),
                version, historyFixture.isEmpty() ? Optional.empty()
                        : Optional.of(ImportStatusParser.operations(bytes(historyFixture.get()), 20)));
        return store.update("main", report).orElseThrow().current();
    }

    @Test
    void status_says_awaiting_operator_and_the_server_version_and_keeps_recent_operations_out() throws Exception {
        TargetSnapshot s = poll("status-file-loaded.json", ServerVersion.parse("7.11"), Optional.of("history.json"));
        Map<String, Object> entry = json.target(s, clock.instant());
        assertAll(
                () -> assertEquals(true, entry.get("awaiting_operator")),
                () -> assertEquals(false, entry.get("stalled")),
                () -> assertEquals("7.11", entry.get("server_version")),
                () -> assertFalse(entry.containsKey("recent_operations"), "a fleet's /status would multiply them"));
    }

    @Test
    void labels_come_last_in_status_and_before_recent_operations_in_the_target_detail() throws Exception {
        StatusJson labelled = new StatusJson(Duration.ofMinutes(1), name -> "closed", name -> List.of(),
                name -> name.equals("main") ? Map.of("team", "payments") : Map.of());
        TargetSnapshot s = poll("status-file-loaded.json", Optional.empty(), Optional.of("history.json"));
        Map<String, Object> entry = labelled.target(s, clock.instant());
        List<String> keys = List.copyOf(entry.keySet());
        assertAll(
                () -> assertEquals(List.of("target", "up", "state", "state_since", "operation", "progress", "records_per_second",
                        "eta_seconds", "stalled", "awaiting_operator", "fetched_at", "age_seconds", "stale", "last_poll_at",
                        "last_outcome", "last_error", "consecutive_failures", "rate_limit_remaining", "next_call_not_before",
                        "circuit_breaker", "server_version", "alerts", "labels"), keys),
                () -> assertEquals(Map.of("team", "payments"), entry.get("labels")),
                () -> assertEquals(Map.of(), json.target(s, clock.instant()).get("labels"), "no labels: {}"));
        List<String> detail = List.copyOf(labelled.targetDetail(s, clock.instant()).keySet());
        assertEquals(List.of("alerts", "labels", "recent_operations"), detail.subList(detail.size() - 3, detail.size()));
    }

    @Test
    void an_unknown_version_is_null() throws Exception {
        Map<String, Object> entry = json.target(poll("status-none.json", Optional.empty(), Optional.empty()), clock.instant());
        assertTrue(entry.containsKey("server_version"));
        assertNull(entry.get("server_version"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_target_detail_lists_recent_operations_newest_first_with_derived_state_and_duration() throws Exception {
        TargetSnapshot s = poll("status-overcounted.json", Optional.empty(), Optional.of("history.json"));
        List<Map<String, Object>> ops = (List<Map<String, Object>>) json.targetDetail(s, clock.instant()).get("recent_operations");
        Map<String, Object> failedAfterInvalidation = ops.get(2);
        Map<String, Object> doneInvalid = ops.get(1);
        assertAll(
                () -> assertEquals(3, ops.size()),
                () -> assertEquals(List.of("operation_id", "importer_key", "type", "status", "state", "valid", "created_at",
                        "updated_at", "duration_seconds", "counts"), List.copyOf(ops.get(0).keySet())),
                () -> assertEquals("6571d0aa3c2e4b1f9a8d5e01", ops.get(0).get("operation_id")),
                () -> assertEquals("importing", ops.get(0).get("state")),
                () -> assertEquals(250.5, ops.get(0).get("duration_seconds")),
                () -> assertEquals("done", doneInvalid.get("state"), "importer_done stays done even with valid: false"),
                () -> assertEquals(1200.0, doneInvalid.get("duration_seconds")),
                () -> assertEquals(37L, ((Map<String, Object>) doneInvalid.get("counts")).get("error")),
                () -> assertEquals("error", failedAfterInvalidation.get("state")),
                () -> assertEquals(false, failedAfterInvalidation.get("valid")),
                () -> assertEquals("2026-11-29T20:08:37.655Z", failedAfterInvalidation.get("created_at")));
    }

    @Test
    void without_a_fetch_the_list_is_empty() throws Exception {
        TargetSnapshot s = poll("status-none.json", Optional.empty(), Optional.empty());
        assertEquals(List.of(), json.targetDetail(s, clock.instant()).get("recent_operations"));
        assertEquals(Instant.parse("2026-11-30T09:42:41.907Z").toString(), json.target(s, clock.instant()).get("fetched_at"));
    }
}
