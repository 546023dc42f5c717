package io.rcimport.exporter.storage;

import static io.rcimport.exporter.storage.StateFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.config.ConfigException;
import io.rcimport.exporter.storage.StateFile.Fresh;
import io.rcimport.exporter.storage.StateFile.LoadResult;
import io.rcimport.exporter.storage.StateFile.Loaded;
import io.rcimport.exporter.storage.StateFile.SetAside;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateFileTest {
    @TempDir
    Path dir;
    private final TestClock clock = TestClock.at("2026-05-02T09:30:05.250Z");

    private StateFile file() throws ConfigException {
        return StateFile.open(dir, clock);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private record Logged(LoadResult result, List<String> lines) {
    }

    /** Loads, with the storage log lines it wrote. */
    private Logged loadLogging() throws ConfigException {
        try (LogCapture logs = LogCapture.start(false)) {
            int mark = logs.mark();
            LoadResult result = file().load();
            return new Logged(result, logs.linesSince(mark).stream().filter(l -> l.contains(" storage - ")).toList());
        }
    }

    // ---- round trip and format ---------------------------------------------------------------

    @Test
    void a_full_state_comes_back_as_it_was_written() throws Exception {
        SavedState state = StateFixtures.full();
        file().write(state);

        LoadResult result = file().load();

        assertEquals(new Loaded(state), result);
        assertEquals(Optional.of(state), result.kept());
    }

    @Test
    void no_file_is_a_fresh_start() throws Exception {
        assertEquals(new Fresh(), file().load());
        assertEquals(Optional.empty(), file().load().kept());
    }

    @Test
    void instants_are_iso_strings_optionals_are_omitted_and_bodies_are_text_when_they_are_utf8() throws Exception {
        file().write(StateFixtures.full());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("state.json").toFile());

        assertEquals(1, root.get("version").intValue());
        assertEquals("2026-05-02T09:00:02.345Z", root.get("saved_at").textValue());
        JsonNode first = root.get("targets").get(0);
        assertEquals("target-1", first.get("name").textValue());
        assertEquals(StateFixtures.body(1), first.get("last_good").get("raw_body").textValue());
        assertEquals("2026-05-02T08:59:15Z", first.get("last_good").get("samples").get(0).get("at").textValue());
        assertFalse(first.get("alerts").get(1).has("operation_id"));
        assertFalse(root.get("targets").get(1).has("last_good"));
        assertFalse(root.get("targets").get(2).get("last_good").has("heartbeat_since"));
        JsonNode payloads = root.get("deliveries").get(0).get("payloads");
        assertEquals("{\"text\":\"Import on main: done ✅\"}", payloads.get(0).get("text").textValue());
        assertFalse(payloads.get(0).has("base64"));
        assertEquals("//4AAQLD", payloads.get(1).get("base64").textValue());
        assertFalse(payloads.get(1).has("text"));
    }

    @Test
    void null_optionals_read_as_absent() throws Exception {
        Files.writeString(dir.resolve("state.json"), """
                {"version":1,"saved_at":"2026-05-02T09:00:00Z","deliveries":[],
                 "targets":[{"name":"a","last_good":null,"alerts":[{"name":"X","severity":"info","operation_id":null,
                   "summary":"s","description":"d","starts_at":"2026-05-02T08:00:00Z","future_key":1}]}]}
                """);

        SavedState state = file().load().kept().orElseThrow();

        assertEquals(Optional.empty(), state.targets().get(0).lastGood());
        assertEquals(Optional.empty(), state.targets().get(0).alerts().get(0).operationId());
    }

    @Test
    void the_writer_adds_nothing_but_the_states_own_values() throws Exception {
        SavedState state = StateFixtures.full();
        file().write(state);
        JsonNode root = new ObjectMapper().readTree(dir.resolve("state.json").toFile());

        Set<String> keys = new TreeSet<>();
        List<String> strings = new ArrayList<>();
        walk(root, keys, strings);

        assertEquals(new TreeSet<>(List.of("version", "saved_at", "targets", "name", "last_good", "fetched_at", "raw_body",
                "state_since", "heartbeat_since", "history_operation_id", "samples", "at", "processed", "alerts", "severity",
                "operation_id", "summary", "description", "starts_at", "deliveries", "sink", "endpoint", "payloads",
                "content_type", "text", "base64")), keys);
        assertEquals(new TreeSet<>(values(state)), new TreeSet<>(strings));
    }

    /** Every string, instant and body of the state, found by reflection over its records (not by StateJson). */
    private static List<String> values(Object value) throws ReflectiveOperationException {
        List<String> out = new ArrayList<>();
        if (value instanceof String || value instanceof java.time.Instant) {
            out.add(value.toString());
        } else if (value instanceof byte[] bytes) {
            out.add(StateJson.utf8(bytes).orElseGet(() -> java.util.Base64.getEncoder().encodeToString(bytes)));
        } else if (value instanceof Optional<?> optional && optional.isPresent()) {
            out.addAll(values(optional.get()));
        } else if (value instanceof List<?> list) {
            for (Object element : list) {
                out.addAll(values(element));
            }
        } else if (value instanceof Record record) {
            for (java.lang.reflect.RecordComponent component : record.getClass().getRecordComponents()) {
                out.addAll(values(component.getAccessor().invoke(record)));
            }
        }
        return out;
    }

    private static void walk(JsonNode node, Set<String> keys, List<String> strings) {
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                keys.add(key);
                walk(node.get(key), keys, strings);
            }
        } else if (node.isArray()) {
            node.forEach(element -> walk(element, keys, strings));
        } else if (node.isTextual()) {
            strings.add(node.textValue());
        }
    }

    // ---- atomic write ------------------------------------------------------------------------

    @Test
    void a_write_leaves_only_the_state_file_and_replaces_the_previous_one() throws Exception {
        StateFile file = file();
        file.write(SavedState.empty(T0));
        file.write(StateFixtures.full());

        assertEquals(List.of("state.json"), names());
        assertEquals(StateFixtures.full(), file.load().kept().orElseThrow());
    }

    @Test
    void after_a_crash_a_stray_temp_file_is_ignored_a_truncated_file_set_aside_and_the_next_write_clears_the_temp() throws Exception {
        byte[] whole = StateFile.encode(StateFixtures.full());
        byte[] torn = java.util.Arrays.copyOf(whole, whole.length / 2);
        Files.write(dir.resolve("state.json"), torn);
        Files.write(dir.resolve("state.json.tmp"), java.util.Arrays.copyOf(whole, 17));
        StateFile file = file();

        LoadResult result = file.load();

        SetAside aside = assertInstanceOf(SetAside.class, result);
        assertEquals(dir.resolve("state.json.corrupt-20260502T093005Z"), aside.movedTo());
        assertArrayEquals(torn, Files.readAllBytes(aside.movedTo()));
        assertEquals(Optional.empty(), result.kept());

        file.write(SavedState.empty(T0));
        assertEquals(List.of("state.json", "state.json.corrupt-20260502T093005Z"), names());
    }

    // ---- damage ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "",                                           // empty
            "garbage",                                    // not JSON
            "{\"version\":1,\"saved_at\":\"2026-05-0",    // torn
            "[]",                                         // not an object
            "{\"version\":1,\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":[],\"deliveries\":[]} trailing",
            "{\"version\":1,\"version\":1,\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":[],\"deliveries\":[]}",
            "{\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":[],\"deliveries\":[]}",           // no version
            "{\"version\":\"1\",\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":[],\"deliveries\":[]}",
            "{\"version\":1,\"saved_at\":5,\"targets\":[],\"deliveries\":[]}",                     // wrong type
            "{\"version\":1,\"saved_at\":\"yesterday\",\"targets\":[],\"deliveries\":[]}",
            "{\"version\":1,\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":{},\"deliveries\":[]}",
            "{\"version\":1,\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":[{\"name\":\"a\"}],\"deliveries\":[]}",
            "{\"version\":1,\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":[],\"deliveries\":[{\"sink\":\"w\",\"endpoint\":\"e\","
                    + "\"payloads\":[{\"content_type\":\"a\",\"base64\":\"!!\"}]}]}",
            "{\"version\":1,\"saved_at\":\"2026-05-02T09:00:00Z\",\"targets\":[{\"name\":\"a\",\"alerts\":[],\"last_good\":"
                    + "{\"fetched_at\":\"2026-05-02T09:00:00Z\",\"raw_body\":\"{}\",\"state_since\":\"2026-05-02T09:00:00Z\","
                    + "\"history_operation_id\":\"o\",\"samples\":[{\"at\":\"2026-05-02T09:00:00Z\",\"processed\":1.5}]}}],\"deliveries\":[]}",
    })
    void a_file_that_cannot_be_read_is_moved_aside_with_one_warn_line_and_never_deleted(String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("state.json"), bytes);
        Logged logged = loadLogging();
        LoadResult result = logged.result();
        List<String> lines = logged.lines();

        SetAside aside = assertInstanceOf(SetAside.class, result);
        Path moved = dir.resolve("state.json.corrupt-20260502T093005Z");
        assertEquals(moved, aside.movedTo());
        assertArrayEquals(bytes, Files.readAllBytes(moved));
        assertFalse(Files.exists(dir.resolve("state.json")));
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("WARN"), lines.get(0));
        assertTrue(lines.get(0).contains(dir.resolve("state.json") + " "), lines.get(0));
        assertTrue(lines.get(0).contains(moved.toString()), lines.get(0));
        assertTrue(lines.get(0).contains(aside.reason()), lines.get(0));
    }

    @Test
    void bytes_that_are_not_utf8_are_set_aside() throws Exception {
        byte[] bytes = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        Files.write(dir.resolve("state.json"), bytes);

        SetAside aside = assertInstanceOf(SetAside.class, file().load());

        assertArrayEquals(bytes, Files.readAllBytes(aside.movedTo()));
    }

    @Test
    void a_file_set_aside_never_replaces_one_set_aside_before() throws Exception {
        StateFile file = file();
        Files.writeString(dir.resolve("state.json"), "first");
        file.load();
        Files.writeString(dir.resolve("state.json"), "second");
        file.load();
        Files.writeString(dir.resolve("state.json"), "third");
        SetAside third = assertInstanceOf(SetAside.class, file.load());

        assertEquals(List.of("state.json.corrupt-20260502T093005Z", "state.json.corrupt-20260502T093005Z-2",
                "state.json.corrupt-20260502T093005Z-3"), names());
        assertEquals("third", Files.readString(third.movedTo()));
        assertEquals("first", Files.readString(dir.resolve("state.json.corrupt-20260502T093005Z")));
    }

    @Test
    void a_file_of_another_version_is_moved_aside_and_not_read() throws Exception {
        String newer = "{\"version\":2,\"saved_at\":\"2026-05-02T09:00:00Z\",\"everything\":\"different\"}";
        Files.writeString(dir.resolve("state.json"), newer);
        Logged logged = loadLogging();
        LoadResult result = logged.result();
        List<String> lines = logged.lines();

        SetAside aside = assertInstanceOf(SetAside.class, result);
        assertEquals(dir.resolve("state.json.unsupported-v2-20260502T093005Z"), aside.movedTo());
        assertEquals(newer, Files.readString(aside.movedTo()));
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("WARN") && lines.get(0).contains("format version 2")
                && lines.get(0).contains("reads version 1 only") && lines.get(0).contains(aside.movedTo().toString()), lines.get(0));
    }

    // ---- the startup check -------------------------------------------------------------------

    @Test
    void a_missing_directory_is_created_with_its_parents_and_the_probe_removed() throws Exception {
        Path nested = dir.resolve("var/lib/agent");

        StateFile file = StateFile.open(nested, clock);

        assertTrue(Files.isDirectory(nested));
        assertEquals(nested.resolve("state.json"), file.path());
        try (Stream<Path> files = Files.list(nested)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void a_regular_file_in_the_way_is_an_error_naming_storage_path() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "x");

        ConfigException e = assertThrows(ConfigException.class, () -> StateFile.open(plain, clock));

        assertEquals("storage.path", e.key());
        assertEquals("storage.path: " + plain + " is not a directory", e.getMessage());
        assertEquals("x", Files.readString(plain));
    }

    @Test
    void a_directory_that_cannot_be_created_is_an_error_naming_storage_path_and_the_reason() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        Path below = plain.resolve("state");

        ConfigException e = assertThrows(ConfigException.class, () -> StateFile.open(below, clock));

        assertEquals("storage.path", e.key());
        assertTrue(e.getMessage().startsWith("storage.path: cannot create the directory " + below + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("Not a directory") || e.getMessage().contains("in the way"), e.getMessage());
    }
}
