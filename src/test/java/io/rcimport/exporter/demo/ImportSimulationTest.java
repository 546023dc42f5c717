package io.rcimport.exporter.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ImportSimulationTest {
    private static final Instant START = Instant.parse("2026-05-02T09:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STEP_ORDER = List.of(
            "importer_new", "importer_uploading", "importer_file_loaded", "importer_preparing_started",
            "importer_preparing_users", "importer_preparing_channels", "importer_preparing_messages",
            "importer_user_selection", "importer_importing_started", "importer_importing_users",
            "importer_importing_channels", "importer_importing_messages", "importer_finishing", "importer_done");
    private static final Pattern METEOR_ID = Pattern.compile("[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{17}");
    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{24}");
    private static final Pattern ISO_MILLIS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

    private final TestClock clock = TestClock.at(START);

    /** One answer of the simulation at one instant. */
    record Sample(Instant at, JsonNode body) {
        JsonNode op() {
            return body.path("operation");
        }

        boolean hasOperation() {
            return body.has("operation");
        }

        String id() {
            return op().path("_id").asText();
        }

        String status() {
            return op().path("status").asText();
        }

        String state() {
            return body.path("state").asText(null);
        }

        long count(String key) {
            return op().path("count").path(key).asLong(0);
        }

        JsonNode updatedAt() {
            return op().path("_updatedAt");
        }

        /** The operation without its heartbeat: what a write changes. */
        JsonNode content() {
            ObjectNode copy = ((ObjectNode) op()).deepCopy();
            copy.remove("_updatedAt");
            return copy;
        }
    }

    private ImportSimulation simulation(long seed, Scenario scenario) {
        return new ImportSimulation(clock, new SplittableRandom(seed), scenario);
    }

    private Sample sample(ImportSimulation sim) {
        return new Sample(clock.instant(), parse(sim.statusJson()));
    }

    private List<Sample> run(ImportSimulation sim, Duration every, Duration total) {
        List<Sample> samples = new ArrayList<>();
        for (Instant end = clock.instant().plus(total); !clock.instant().isAfter(end); clock.advance(every)) {
            samples.add(sample(sim));
        }
        return samples;
    }

    /** Advances in one-second steps until the answer matches; fails after a simulated day. */
    private Sample advanceUntil(ImportSimulation sim, Predicate<Sample> condition) {
        for (int i = 0; i < 86_400; i++) {
            Sample s = sample(sim);
            if (condition.test(s)) {
                return s;
            }
            clock.advance(Duration.ofSeconds(1));
        }
        return fail("condition not reached within a simulated day");
    }

    private static Map<String, List<Sample>> byOperation(List<Sample> samples) {
        Map<String, List<Sample>> ops = new LinkedHashMap<>();
        samples.stream().filter(Sample::hasOperation).forEach(s -> ops.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(s));
        return ops;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    static String fixture(String name) {
        try (InputStream in = ImportSimulationTest.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void reports_state_none_before_the_first_operation() {
        ImportSimulation sim = simulation(1, Scenario.steady());

        assertEquals(fixture("status-none.json"), sim.statusJson());
        clock.advance(Scenario.steady().firstOperationAfter().minusMillis(1));
        assertEquals(fixture("status-none.json"), sim.statusJson());
        clock.advance(Duration.ofMillis(1));
        Sample first = sample(sim);
        assertEquals("new", first.state());
        assertEquals("importer_new", first.status());
    }

    @Test
    void every_operation_follows_the_state_machine_in_order_to_done_and_is_replaced_by_a_new_one() {
        ImportSimulation sim = simulation(1, Scenario.steady());

        Map<String, List<Sample>> ops = byOperation(run(sim, Duration.ofMillis(250), Duration.ofHours(1)));

        List<List<Sample>> finished = new ArrayList<>(ops.values()).subList(0, ops.size() - 1);
        assertTrue(finished.size() >= 10, "operations finished in an hour: " + finished.size());
        Set<String> importers = new HashSet<>();
        for (List<Sample> op : finished) {
            importers.add(op.get(0).op().path("importerKey").asText());
            List<String> steps = op.stream().map(Sample::status).distinct().toList();
            assertEquals("importer_new", steps.get(0), "first step of " + op.get(0).id());
            assertEquals("importer_done", steps.get(steps.size() - 1), "last step of " + op.get(0).id());
            for (int i = 1; i < steps.size(); i++) {
                assertTrue(STEP_ORDER.indexOf(steps.get(i - 1)) < STEP_ORDER.indexOf(steps.get(i)),
                        "out of order: " + steps);
            }
            assertTrue(steps.containsAll(List.of("importer_user_selection", "importer_importing_users")), steps.toString());
            op.forEach(s -> assertTrue(s.op().path("valid").asBoolean(), "steady operations stay valid"));
        }
        assertEquals(Set.of("slack", "csv", "api"), importers);
        // File imports stage users, channels and messages while loading; the total is their sum.
        List<Sample> slack = finished.stream().filter(op -> op.get(0).op().path("importerKey").asText().equals("slack"))
                .findFirst().orElseThrow();
        Sample ready = slack.stream().filter(s -> "ready".equals(s.state())).findFirst().orElseThrow();
        assertTrue(ready.count("messages") > 0 && ready.count("channels") > 0 && ready.count("users") > 0);
        assertEquals(ready.count("users") + ready.count("channels") + ready.count("messages"), ready.count("total"));
    }

    @Test
    void state_is_computed_like_the_server_for_every_body_and_every_body_parses() {
        ImportSimulation sim = simulation(7, Scenario.demo());
        Set<String> statesSeen = new HashSet<>();

        for (Sample s : run(sim, Duration.ofSeconds(1), Duration.ofHours(3))) {
            assertTrue(s.body().path("success").asBoolean(), s.body().toString());
            if (!s.hasOperation()) {
                assertEquals("none", s.state());
                continue;
            }
            ImportState expected = ImportState.derive(s.status(), s.op().path("valid").asBoolean());
            if (expected == ImportState.UNKNOWN) {
                assertFalse(s.body().has("state"), s.body().toString());
            } else {
                assertEquals(expected.label(), s.state(), s.body().toString());
            }
            statesSeen.add(s.state());
        }
        assertTrue(statesSeen.containsAll(Set.of("new", "loading", "ready", "importing", "done", "error")),
                "states seen in 3 hours of the demo: " + statesSeen);
    }

    @Test
    void completed_and_error_are_written_only_in_jumps_of_50_or_500_while_importing_messages_or_at_the_end() {
        ImportSimulation sim = simulation(3, Scenario.steady());
        int jumpsOf50 = 0;
        int jumpsOf500 = 0;
        int finalWrites = 0;

        for (List<Sample> op : byOperation(run(sim, Duration.ofMillis(100), Duration.ofMinutes(40))).values()) {
            for (int i = 1; i < op.size(); i++) {
                Sample before = op.get(i - 1);
                Sample after = op.get(i);
                long sum = after.count("completed") + after.count("error");
                if (sum == before.count("completed") + before.count("error")) {
                    continue;
                }
                boolean end = sum >= after.count("total");
                boolean duringMessages = before.status().equals("importer_importing_messages")
                        && after.status().equals("importer_importing_messages");
                int jump = duringMessages ? 500 : 50;
                assertTrue(sum % jump == 0 || end, "wrote " + sum + " in " + after.status() + ": " + after.body());
                if (end && sum % jump != 0) {
                    finalWrites++;
                } else if (duringMessages) {
                    jumpsOf500++;
                } else {
                    jumpsOf50++;
                }
            }
        }
        assertTrue(jumpsOf50 > 5 && jumpsOf500 > 5, "jumps of 50: " + jumpsOf50 + ", of 500: " + jumpsOf500);
        assertTrue(finalWrites > 0, "some operation wrote its final count at the end");
    }

    @Test
    void updated_at_changes_with_every_write_and_only_then() {
        ImportSimulation sim = simulation(5, Scenario.demo());
        int writes = 0;

        for (List<Sample> op : byOperation(run(sim, Duration.ofMillis(200), Duration.ofMinutes(40))).values()) {
            for (int i = 1; i < op.size(); i++) {
                Sample before = op.get(i - 1);
                Sample after = op.get(i);
                if (before.content().equals(after.content())) {
                    assertEquals(before.updatedAt(), after.updatedAt(), "no write, yet _updatedAt moved: " + after.body());
                } else {
                    writes++;
                    assertNotEquals(before.updatedAt(), after.updatedAt(), "a write kept _updatedAt: " + after.body());
                }
            }
        }
        assertTrue(writes > 100, "writes seen: " + writes);
    }

    @Test
    void slack_operations_look_like_an_old_server_wrote_them_and_the_others_like_a_new_one() {
        ImportSimulation sim = simulation(11, Scenario.steady());
        Set<String> importers = new HashSet<>();

        for (List<Sample> op : byOperation(run(sim, Duration.ofSeconds(5), Duration.ofHours(1))).values()) {
            JsonNode o = op.get(op.size() - 1).op();
            String key = o.path("importerKey").asText();
            importers.add(key);
            assertTrue(METEOR_ID.matcher(o.path("user").asText()).matches(), o.toString());
            if (key.equals("slack")) {
                assertEquals("Slack", o.path("type").asText());
                assertTrue(METEOR_ID.matcher(o.path("_id").asText()).matches(), o.toString());
                assertTrue(o.path("ts").isIntegralNumber() && o.path("_updatedAt").isIntegralNumber(), o.toString());
                assertTrue(o.has("messagesstatus") && o.get("messagesstatus").isNull(), o.toString());
                assertEquals("application/zip", o.path("contentType").asText());
            } else {
                assertTrue(OBJECT_ID.matcher(o.path("_id").asText()).matches(), o.toString());
                assertTrue(ISO_MILLIS.matcher(o.path("ts").asText()).matches(), o.toString());
                assertTrue(ISO_MILLIS.matcher(o.path("_updatedAt").asText()).matches(), o.toString());
                assertFalse(o.has("messagesstatus"), o.toString());
                assertEquals(key.equals("csv"), o.has("file"), o.toString());
            }
        }
        assertEquals(Set.of("slack", "csv", "api"), importers);
    }

    @Test
    void the_body_has_the_key_order_and_shape_of_the_fixtures() {
        ImportSimulation sim = simulation(1, Scenario.steady().onlyImporter("slack"));
        Sample importing = advanceUntil(sim, s -> s.status().equals("importer_importing_messages") && s.count("completed") > 0);

        List<String> keys = fieldNames(importing.op());
        assertEquals(fieldNames(parse(fixture("status-importing-slack.json")).path("operation")), keys);
        assertEquals(List.of("state", "operation", "success"), fieldNames(importing.body()));
        assertEquals(List.of("total", "completed", "error", "users", "channels", "messages"),
                fieldNames(importing.op().path("count")));
    }

    @Test
    void a_forced_stall_freezes_the_body_until_recovery_then_the_import_moves_on() {
        ImportSimulation sim = simulation(2, Scenario.steady());
        Sample importing = advanceUntil(sim, s -> s.status().equals("importer_importing_users"));

        sim.forceStall();
        String frozen = sim.statusJson();
        for (int i = 0; i < 60; i++) {
            clock.advance(Duration.ofSeconds(30));
            assertEquals(frozen, sim.statusJson(), "nothing is written during a stall");
        }
        sim.forceRecovery();
        Sample moved = advanceUntil(sim, s -> !s.updatedAt().equals(importing.updatedAt()));

        assertEquals(importing.id(), moved.id());
        assertEquals("importing", moved.state());
        assertTrue(moved.count("completed") + moved.count("error") > 0, moved.body().toString());
        Sample done = advanceUntil(sim, s -> !s.id().equals(importing.id()) || s.status().equals("importer_done"));
        assertEquals("importer_done", done.status(), "the recovered import runs to the end");
    }

    @Test
    void a_planned_stall_freezes_updated_at_for_the_stall_duration_then_resumes_or_fails() {
        Scenario alwaysStalls = Scenario.steady().withFaultProbabilities(0, 1, 0);
        ImportSimulation sim = simulation(4, alwaysStalls);
        Set<String> endings = new HashSet<>();

        for (List<Sample> op : byOperation(run(sim, Duration.ofSeconds(1), Duration.ofHours(1))).values()) {
            Duration longestQuiet = Duration.ZERO;
            Instant quietSince = op.get(0).at();
            for (int i = 1; i < op.size(); i++) {
                if (!op.get(i).updatedAt().equals(op.get(i - 1).updatedAt())) {
                    quietSince = op.get(i).at();
                } else if ("importing".equals(op.get(i).state())) {
                    Duration quiet = Duration.between(quietSince, op.get(i).at());
                    longestQuiet = quiet.compareTo(longestQuiet) > 0 ? quiet : longestQuiet;
                }
            }
            String last = op.get(op.size() - 1).status();
            if (last.equals("importer_done") || last.equals("importer_import_failed")) {
                endings.add(last);
                assertTrue(longestQuiet.compareTo(alwaysStalls.stallDuration()) >= 0,
                        "stalled only " + longestQuiet + " in " + op.get(0).id());
            }
        }
        assertEquals(Set.of("importer_done", "importer_import_failed"), endings);
    }

    @Test
    void a_forced_failure_gives_state_error_with_importer_import_failed_and_a_new_operation_after_the_pause() {
        ImportSimulation sim = simulation(2, Scenario.steady());
        Sample importing = advanceUntil(sim, s -> "importing".equals(s.state()));
        clock.advance(Duration.ofMillis(1234));

        sim.forceFailure();

        Sample failed = sample(sim);
        assertEquals("error", failed.state());
        assertEquals("importer_import_failed", failed.status());
        assertTrue(failed.op().path("valid").asBoolean(), "a failure is not an invalidation");
        assertEquals(importing.id(), failed.id());
        assertEquals(clock.instant().toEpochMilli(), epochMillis(failed.updatedAt()));

        clock.advance(Scenario.steady().pauseBetweenOperations().minusSeconds(1));
        assertEquals(failed.body(), sample(sim).body());
        clock.advance(Duration.ofSeconds(1));
        Sample next = sample(sim);
        assertNotEquals(importing.id(), next.id());
        assertEquals("new", next.state());
    }

    @Test
    void a_forced_failure_before_any_operation_creates_one_and_fails_it() {
        ImportSimulation sim = simulation(2, Scenario.steady());

        sim.forceFailure();

        assertEquals("importer_import_failed", sample(sim).status());
    }

    @Test
    void a_restart_mid_import_gives_valid_false_and_state_error_with_the_status_unchanged() {
        ImportSimulation sim = simulation(2, Scenario.steady());
        Sample importing = advanceUntil(sim, s -> s.status().equals("importer_importing_users"));

        sim.forceRestart();

        Sample restarted = sample(sim);
        assertEquals("error", restarted.state());
        assertEquals("importer_importing_users", restarted.status());
        assertFalse(restarted.op().path("valid").asBoolean());
        assertEquals(importing.id(), restarted.id());
        assertEquals(ImportState.ERROR, ImportState.derive(restarted.status(), false));
    }

    @Test
    void planned_restarts_and_failures_happen_mid_import() {
        ImportSimulation sim = simulation(9, Scenario.steady().withFaultProbabilities(0.5, 0, 0.5));
        Set<String> seen = new HashSet<>();

        for (Sample s : run(sim, Duration.ofSeconds(1), Duration.ofHours(1))) {
            if ("error".equals(s.state())) {
                seen.add(s.op().path("valid").asBoolean() ? s.status() : "invalid during " + s.status());
            }
        }
        assertTrue(seen.contains("importer_import_failed"), seen.toString());
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("invalid during importer_importing_")), seen.toString());
    }

    @Test
    void recovery_after_a_failure_starts_a_new_operation() {
        ImportSimulation sim = simulation(2, Scenario.steady());
        Sample importing = advanceUntil(sim, s -> "importing".equals(s.state()));
        sim.forceFailure();

        sim.forceRecovery();

        Sample next = sample(sim);
        assertNotEquals(importing.id(), next.id());
        assertEquals("new", next.state());
    }

    @Test
    void start_new_operation_replaces_the_current_one_now() {
        ImportSimulation sim = simulation(2, Scenario.steady());
        Sample ready = advanceUntil(sim, s -> "ready".equals(s.state()));

        sim.startNewOperation();

        Sample next = sample(sim);
        assertNotEquals(ready.id(), next.id());
        assertEquals("new", next.state());
        assertEquals(clock.instant().toEpochMilli(), epochMillis(next.op().path("ts")));
        assertFalse(next.op().has("count"), "a new operation has counted nothing: " + next.body());
    }

    @Test
    void a_status_this_client_does_not_know_makes_the_server_omit_state() {
        ImportSimulation sim = simulation(2, Scenario.steady());
        advanceUntil(sim, Sample::hasOperation);

        sim.forceStatus("importer_some_future_step");

        Sample unknown = sample(sim);
        assertFalse(unknown.body().has("state"), unknown.body().toString());
        assertEquals("importer_some_future_step", unknown.status());
        assertTrue(unknown.body().path("success").asBoolean());
    }

    @Test
    void the_same_seed_gives_the_same_body_at_the_same_instant_however_often_it_is_asked() {
        TestClock otherClock = TestClock.at(START);
        ImportSimulation often = simulation(42, Scenario.demo());
        ImportSimulation rarely = new ImportSimulation(otherClock, new SplittableRandom(42), Scenario.demo());

        for (int second = 0; second < 3 * 3600; second++) {
            String body = often.statusJson();
            if (second % 37 == 0) {
                otherClock.set(clock.instant());
                assertEquals(body, rarely.statusJson(), "at second " + second);
            }
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void the_demo_moves_within_a_minute_and_a_full_import_takes_two_to_four_minutes() {
        ImportSimulation sim = simulation(8, Scenario.demo().withFaultProbabilities(0, 0, 0));
        List<Sample> samples = run(sim, Duration.ofSeconds(1), Duration.ofHours(2));

        Set<String> firstMinute = new HashSet<>();
        samples.stream().filter(s -> s.at().isBefore(START.plusSeconds(60))).forEach(s -> firstMinute.add(s.body().toString()));
        assertTrue(firstMinute.size() >= 5, "distinct bodies in the first minute: " + firstMinute.size());

        Map<String, List<Sample>> ops = byOperation(samples);
        List<List<Sample>> finished = new ArrayList<>(ops.values()).subList(0, ops.size() - 1);
        for (List<Sample> op : finished) {
            Sample created = op.get(0);
            Sample done = op.stream().filter(s -> s.status().equals("importer_done")).findFirst().orElseThrow();
            Duration took = Duration.ofMillis(epochMillis(done.updatedAt()) - epochMillis(created.op().path("ts")));
            assertTrue(took.compareTo(Duration.ofSeconds(90)) >= 0 && took.compareTo(Duration.ofSeconds(270)) <= 0,
                    "import took " + took + ": " + done.body());
            long total = done.count("total");
            assertTrue(total >= 400 && total <= 4000, "total " + total);
        }
        assertTrue(finished.size() >= 20, "operations in two hours: " + finished.size());
    }

    @Test
    void advancing_a_whole_day_at_once_works() {
        ImportSimulation sim = simulation(6, Scenario.demo());

        clock.advance(Duration.ofDays(1));

        assertTrue(sample(sim).hasOperation());
    }

    @Test
    void scenario_rejects_impossible_values() {
        Scenario demo = Scenario.demo();

        assertThrows(IllegalArgumentException.class, () -> demo.withFaultProbabilities(0.5, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> demo.withFaultProbabilities(-0.1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Scenario.Range(5, 4));
        assertThrows(IllegalArgumentException.class, () -> demo.onlyImporter("hipchat"));
    }

    private static long epochMillis(JsonNode date) {
        return date.isNumber() ? date.asLong() : Instant.parse(date.asText()).toEpochMilli();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void the_history_lists_the_current_operation_first_and_the_replaced_one_invalidated() throws Exception {
        ImportSimulation sim = simulation(1, Scenario.steady());
        sim.startNewOperation();
        String first = new ObjectMapper().readTree(sim.statusJson()).path("operation").path("_id").asText();
        clock.advance(Duration.ofSeconds(5));
        sim.startNewOperation();
        JsonNode history = new ObjectMapper().readTree(sim.historyJson());
        assertEquals(2, history.size());
        assertNotEquals(first, history.get(0).path("_id").asText(), "newest first");
        assertEquals(first, history.get(1).path("_id").asText());
        assertFalse(history.get(1).path("valid").asBoolean(), "replaced while running: invalidated");
    }
}
