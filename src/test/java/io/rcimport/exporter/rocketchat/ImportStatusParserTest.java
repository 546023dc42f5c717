package io.rcimport.exporter.rocketchat;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImportStatusParserTest {

    private static ImportStatus parse(String json) throws InvalidResponseException {
        return ImportStatusParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String rejection(String json) {
        return assertThrows(InvalidResponseException.class, () -> parse(json)).getMessage();
    }

    /** A valid status whose operation has {@code operationFields} spliced in after {@code _id}. */
    private static String withOperation(String operationFields) {
        return "{\"state\":\"importing\",\"operation\":{\"_id\":\"64d51ea91558939980aab371\"," + operationFields
                + ",\"type\":\"api\",\"importerKey\":\"api\",\"status\":\"importer_importing_users\"},\"success\":true}";
    }

    // --- the recorded fixtures ---

    @Test
    void status_none_has_no_operation_and_no_counts() throws Exception {
        ImportStatus s = ImportStatusParser.parse(bytes("status-none.json"));
        assertEquals(ImportState.NONE, s.state());
        assertEquals(Optional.empty(), s.operation());
        assertEquals(ImportCounts.EMPTY, s.counts());
    }

    @Test
    void status_ready_is_the_documented_example_read_field_by_field() throws Exception {
        ImportStatus s = ImportStatusParser.parse(bytes("status-ready.json"));
        assertEquals(ImportState.READY, s.state());
        ImportOperation op = s.operation().orElseThrow();
        assertEquals("64d51ea91558939980aab371", op.id());
        assertEquals("api", op.type());
        assertEquals("api", op.importerKey());
        assertEquals("importer_user_selection", op.status());
        assertTrue(op.valid());
        assertEquals(Optional.of(Instant.parse("2023-08-10T17:30:17.519Z")), op.createdAt());
        assertEquals(Optional.of(Instant.parse("2023-08-10T17:41:20.052Z")), op.updatedAt());
        assertEquals(new ImportCounts(2, 0, 0, 2, 0, 0), op.counts());
    }

    @Test
    void status_importing_slack_reads_epoch_ms_dates_a_meteor_id_every_count_and_ignores_extra_keys() throws Exception {
        ImportStatus s = ImportStatusParser.parse(bytes("status-importing-slack.json"));
        assertEquals(ImportState.IMPORTING, s.state());
        ImportOperation op = s.operation().orElseThrow();
        assertEquals("MJxTRZsYdho8Ww2qq", op.id());
        assertEquals("Slack", op.type());
        assertEquals("slack", op.importerKey());
        assertEquals("importer_importing_messages", op.status());
        assertTrue(op.valid());
        assertEquals(Optional.of(Instant.ofEpochMilli(1635280600083L)), op.createdAt());
        assertEquals(Optional.of(Instant.ofEpochMilli(1635281544211L)), op.updatedAt());
        assertEquals(new ImportCounts(18250, 9500, 12, 250, 40, 17960), op.counts());
        assertEquals(9512, op.counts().processed());
    }

    @Test
    void status_error_after_restart_is_error_with_an_invalid_mid_import_status_that_is_not_an_importer_failure() throws Exception {
        ImportStatus s = ImportStatusParser.parse(bytes("status-error-after-restart.json"));
        assertEquals(ImportState.ERROR, s.state());
        ImportOperation op = s.operation().orElseThrow();
        assertFalse(op.valid());
        assertEquals("importer_importing_users", op.status());
        assertFalse(op.failedByImporter());
        assertEquals(new ImportCounts(5000, 3150, 4, 5000, 0, 0), op.counts());
    }

    @Test
    void status_unknown_step_without_a_state_key_is_unknown_and_keeps_the_operation() throws Exception {
        ImportStatus s = ImportStatusParser.parse(bytes("status-unknown-step.json"));
        assertEquals(ImportState.UNKNOWN, s.state());
        ImportOperation op = s.operation().orElseThrow();
        assertEquals("importer_some_future_step", op.status());
        assertEquals(ImportCounts.EMPTY, op.counts());
        assertEquals(Optional.of(Instant.parse("2026-05-02T09:01:00Z")), op.updatedAt());
    }

    // --- state ---

    @Test
    void a_missing_state_with_a_known_status_is_derived_like_the_server_would() throws Exception {
        ImportStatus s = parse("{\"operation\":{\"_id\":\"a\",\"status\":\"importer_importing_users\",\"valid\":true},\"success\":true}");
        assertEquals(ImportState.IMPORTING, s.state());
    }

    @Test
    void a_missing_state_with_an_invalid_operation_is_derived_as_error() throws Exception {
        ImportStatus s = parse("{\"operation\":{\"_id\":\"a\",\"status\":\"importer_some_future_step\",\"valid\":false},\"success\":true}");
        assertEquals(ImportState.ERROR, s.state());
    }

    @Test
    void a_missing_state_without_an_operation_is_unknown_not_none() throws Exception {
        assertEquals(ImportState.UNKNOWN, parse("{\"success\":true}").state());
        assertEquals(ImportState.UNKNOWN, parse("{\"state\":null,\"success\":true}").state());
    }

    @Test
    void an_unrecognised_state_string_is_unknown_not_an_error() throws Exception {
        assertEquals(ImportState.UNKNOWN, parse("{\"state\":\"paused\",\"success\":true}").state());
    }

    @Test
    void the_servers_own_state_wins_over_the_derived_one() throws Exception {
        // A done operation the server reports as done, although valid is false: no re-derivation.
        ImportStatus s = parse("{\"state\":\"done\",\"operation\":{\"_id\":\"a\",\"status\":\"importer_done\",\"valid\":false},\"success\":true}");
        assertEquals(ImportState.DONE, s.state());
    }

    @Test
    void a_missing_success_key_is_accepted() throws Exception {
        assertEquals(ImportState.NONE, parse("{\"state\":\"none\"}").state());
    }

    // --- dates ---

    @Test
    void dates_are_accepted_as_iso_strings_and_as_epoch_milliseconds_in_one_operation() throws Exception {
        ImportOperation op = parse(withOperation("\"ts\":\"2023-08-10T17:30:17.519Z\",\"_updatedAt\":1691689280052"))
                .operation().orElseThrow();
        assertEquals(Optional.of(Instant.parse("2023-08-10T17:30:17.519Z")), op.createdAt());
        assertEquals(Optional.of(Instant.parse("2023-08-10T17:41:20.052Z")), op.updatedAt());
    }

    @Test
    void an_iso_date_with_an_offset_is_converted_to_the_same_instant() throws Exception {
        ImportOperation op = parse(withOperation("\"ts\":\"2023-08-10T19:30:17.519+02:00\"")).operation().orElseThrow();
        assertEquals(Optional.of(Instant.parse("2023-08-10T17:30:17.519Z")), op.createdAt());
    }

    @Test
    void an_ejson_date_object_is_read_as_epoch_milliseconds() throws Exception {
        ImportOperation op = parse(withOperation("\"_updatedAt\":{\"$date\":1691689280052}")).operation().orElseThrow();
        assertEquals(Optional.of(Instant.parse("2023-08-10T17:41:20.052Z")), op.updatedAt());
    }

    @Test
    void missing_dates_are_absent_not_epoch_zero() throws Exception {
        ImportOperation op = parse(withOperation("\"user\":\"u\"")).operation().orElseThrow();
        assertEquals(Optional.empty(), op.createdAt());
        assertEquals(Optional.empty(), op.updatedAt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"ts\":\"yesterday\"", "\"ts\":true", "\"_updatedAt\":[1]"})
    void a_date_that_is_neither_iso_nor_epoch_ms_is_rejected_naming_the_field(String field) {
        String message = rejection(withOperation(field));
        assertTrue(message.contains("is not a date"), message);
    }

    // --- counts ---

    @Test
    void a_missing_count_object_means_zero_counts() throws Exception {
        assertEquals(ImportCounts.EMPTY, parse(withOperation("\"valid\":true")).counts());
    }

    @Test
    void missing_count_fields_are_zero_and_present_ones_are_kept() throws Exception {
        assertEquals(new ImportCounts(7, 0, 0, 0, 0, 3), parse(withOperation("\"count\":{\"total\":7,\"messages\":3}")).counts());
    }

    @Test
    void a_whole_number_written_as_a_float_is_accepted() throws Exception {
        assertEquals(50, parse(withOperation("\"count\":{\"completed\":50.0}")).counts().completed());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"count\":{\"total\":\"5000\"}      | operation.count.total",
            "\"count\":{\"completed\":12.5}      | operation.count.completed",
            "\"count\":{\"error\":true}          | operation.count.error",
            "\"count\":{\"users\":-1}            | operation.count.users",
            "\"count\":\"5000\"                  | operation.count",
            "\"count\":[1,2]                     | operation.count",
    })
    void a_count_of_the_wrong_type_or_negative_is_rejected_naming_the_field(String field, String named) {
        String message = rejection(withOperation(field));
        assertTrue(message.contains(named), message);
    }

    @Test
    void a_negative_count_is_rejected_as_negative() {
        String message = rejection(withOperation("\"count\":{\"total\":10,\"completed\":-50}"));
        assertEquals("\"operation.count.completed\" is negative", message);
    }

    // --- wrong types ---

    @Test
    void valid_as_a_string_is_rejected() {
        assertEquals("\"operation.valid\" is not a boolean", rejection(withOperation("\"valid\":\"true\"")));
    }

    @Test
    void operation_as_a_string_is_rejected() {
        assertEquals("\"operation\" is not an object",
                rejection("{\"state\":\"ready\",\"operation\":\"64d51ea91558939980aab371\",\"success\":true}"));
    }

    @Test
    void state_as_a_number_is_rejected() {
        assertEquals("\"state\" is not a string", rejection("{\"state\":4,\"success\":true}"));
    }

    @Test
    void a_status_field_that_is_not_a_string_is_rejected() {
        assertEquals("\"operation.status\" is not a string",
                rejection("{\"operation\":{\"_id\":\"a\",\"status\":3},\"success\":true}"));
    }

    @Test
    void success_false_in_a_200_answer_is_rejected() {
        assertTrue(rejection("{\"success\":false,\"error\":\"boom\"}").contains("\"success\" is false"));
    }

    @Test
    void success_as_a_string_is_rejected() {
        assertTrue(rejection("{\"state\":\"none\",\"success\":\"true\"}").contains("\"success\" is not a boolean"));
    }

    // --- not a status at all ---

    @Test
    void truncated_json_is_rejected_as_not_valid_json() {
        byte[] full = bytes("status-importing-slack.json");
        byte[] half = Arrays.copyOf(full, full.length / 2);
        InvalidResponseException e = assertThrows(InvalidResponseException.class, () -> ImportStatusParser.parse(half));
        assertTrue(e.getMessage().startsWith("body is not valid JSON"), e.getMessage());
    }

    @Test
    void an_html_page_is_rejected_as_not_valid_json() {
        InvalidResponseException e = assertThrows(InvalidResponseException.class,
                () -> ImportStatusParser.parse(bytes("404.html")));
        assertTrue(e.getMessage().startsWith("body is not valid JSON"), e.getMessage());
    }

    @Test
    void plain_text_is_rejected_as_not_valid_json() {
        assertTrue(rejection("Cannot GET /api/v1/import.status").startsWith("body is not valid JSON"));
    }

    @Test
    void a_json_array_is_rejected_as_not_an_object() {
        assertEquals("body is JSON but not an object",
                rejection("[{\"state\":\"none\",\"success\":true}]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"none\"", "42", "null", "true"})
    void a_json_scalar_is_rejected(String json) {
        assertThrows(InvalidResponseException.class, () -> parse(json));
    }

    @Test
    void an_empty_body_is_rejected() {
        assertEquals("body is empty", rejection(""));
        assertEquals("body is empty", rejection("  \n"));
    }

    @Test
    void duplicate_keys_are_rejected_rather_than_guessing_which_one_counts() {
        assertTrue(rejection("{\"state\":\"done\",\"state\":\"error\",\"success\":true}").startsWith("body is not valid JSON"));
    }

    @Test
    void a_rejection_message_does_not_echo_the_whole_body() {
        String huge = "{\"state\":\"none\"," + "x".repeat(10_000);
        assertTrue(rejection(huge).length() < 300);
    }
}
