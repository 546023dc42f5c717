package io.rcimport.exporter.rocketchat;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bodies of 7.x-9.0 servers and of the neighbouring routes (the fact sheet's "Newer facts"). */
class NewerBodiesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private static PollResult.Failure classify(int status, String fixture) {
        HttpAnswer a = HttpAnswer.of(status, HttpHeaders.of(Map.of("Content-Type", List.of("application/json")), (k, v) -> true),
                bytes(fixture), false);
        return assertInstanceOf(PollResult.Failure.class, ResponseClassifier.classify(a, 64 * 1024, NOW));
    }

    @Test
    void the_slim_9_0_401_body_is_unauthorized() {
        PollResult.Failure f = classify(401, "401-9x.json");
        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertEquals("HTTP 401: You must be logged in to do this.", f.message());
    }

    @Test
    void a_401_that_carries_error_unauthorized_is_a_missing_permission_and_says_so() {
        PollResult.Failure f = classify(401, "401-9x-permission.json");
        assertAll(
                () -> assertEquals(Outcome.FORBIDDEN, f.outcome()),
                () -> assertTrue(f.message().contains("[error-unauthorized]"), f.message()),
                () -> assertTrue(f.message().contains("a missing permission, not a login problem"), f.message()),
                () -> assertTrue(f.message().contains("run-import"), f.message()));
    }

    @Test
    void the_403_keeps_its_meaning() {
        assertEquals(Outcome.FORBIDDEN, classify(403, "403.json").outcome());
    }

    @Test
    void count_contacts_is_read() throws InvalidResponseException {
        ImportStatus s = ImportStatusParser.parse(bytes("status-done-clean.json"));
        assertEquals(new ImportCounts(300, 300, 0, 300, 0, 0, 12), s.counts());
    }

    @Test
    void the_history_is_a_bare_array_read_newest_first_and_capped() throws InvalidResponseException {
        List<ImportOperation> ops = ImportStatusParser.operations(bytes("history.json"), 20);
        assertAll(
                () -> assertEquals(List.of("6571d0aa3c2e4b1f9a8d5e01", "6571c5e2b7d94a0f1e3a2c78", "64d69545ee8ae821983005f5"),
                        ops.stream().map(ImportOperation::id).toList()),
                () -> assertEquals("importer_import_failed", ops.get(2).status()),
                () -> assertFalse(ops.get(2).valid()),
                () -> assertEquals(37, ops.get(1).counts().error()),
                () -> assertEquals(4, ops.get(0).counts().contacts()));
        assertEquals(1, ImportStatusParser.operations(bytes("history.json"), 1).size());
    }

    @Test
    void a_history_that_is_not_an_array_of_objects_is_invalid() {
        assertThrows(InvalidResponseException.class, () -> ImportStatusParser.operations(bytes("status-none.json"), 20));
        assertThrows(InvalidResponseException.class, () -> ImportStatusParser.operations("[1,2]".getBytes(StandardCharsets.UTF_8), 20));
        assertThrows(InvalidResponseException.class, () -> ImportStatusParser.operations("<html>".getBytes(StandardCharsets.UTF_8), 20));
    }

    @Test
    void api_info_gives_the_version() throws InvalidResponseException {
        assertEquals(Optional.of(new ServerVersion("7.11", 7, 11)), ImportStatusParser.serverVersion(bytes("info-7.11.json")));
        assertEquals(Optional.of(new ServerVersion("6.2.10", 6, 2)), ImportStatusParser.serverVersion(bytes("info-6.2.json")));
        assertEquals(Optional.empty(), ImportStatusParser.serverVersion("{\"success\":true}".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @CsvSource({"6.2, false", "6.2.10, false", "6.3, true", "6.3.0-rc.1, true", "7.0.0, true", "7.11, true", "5.4.9, false", "10.0, true"})
    void versions_from_6_3_have_import_status(String text, boolean has) {
        assertEquals(has, ServerVersion.parse(text).orElseThrow().hasImportStatus());
    }

    @ParameterizedTest
    @CsvSource({"''", "latest", "v7", "7", "'7.11; DROP'"})
    void anything_but_major_dot_minor_is_an_unknown_version(String text) {
        assertEquals(Optional.empty(), ServerVersion.parse(text));
    }
}
