package io.rcimport.exporter.rocketchat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The server's status → state table (rocketchat-import-api.md, "How the server computes state"). */
class ImportStateTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "importer_new,                 NEW",
            "importer_uploading,           LOADING",
            "importer_downloading_file,    LOADING",
            "importer_file_loaded,         LOADING",
            "importer_preparing_started,   LOADING",
            "importer_preparing_users,     LOADING",
            "importer_preparing_channels,  LOADING",
            "importer_preparing_messages,  LOADING",
            "importer_preparing_contacts,  LOADING",
            "importer_user_selection,      READY",
            "importer_importing_started,   IMPORTING",
            "importer_importing_users,     IMPORTING",
            "importer_importing_contacts,  IMPORTING",
            "importer_importing_channels,  IMPORTING",
            "importer_importing_messages,  IMPORTING",
            "importer_importing_files,     IMPORTING",
            "importer_finishing,           IMPORTING",
            "importer_done,                DONE",
            "importer_import_failed,       ERROR",
            "importer_import_cancelled,    CANCELED",
    })
    void a_valid_operation_maps_its_status_to_the_servers_state(String status, ImportState expected) {
        assertEquals(expected, ImportState.derive(status, true));
        assertTrue(ImportState.isKnownStatus(status));
    }

    @ParameterizedTest(name = "{0} with valid:false -> error")
    @ValueSource(strings = {
            "importer_new", "importer_uploading", "importer_downloading_file", "importer_file_loaded",
            "importer_preparing_started", "importer_preparing_users", "importer_preparing_channels",
            "importer_preparing_messages", "importer_preparing_contacts", "importer_user_selection",
            "importer_importing_started", "importer_importing_users", "importer_importing_contacts",
            "importer_importing_channels", "importer_importing_messages", "importer_importing_files",
            "importer_finishing", "importer_import_failed", "importer_import_cancelled",
            "importer_some_future_step", ""})
    void an_invalid_operation_that_is_not_done_is_error_whatever_its_status(String status) {
        assertEquals(ImportState.ERROR, ImportState.derive(status, false));
    }

    @Test
    void a_done_operation_stays_done_even_when_invalid() {
        assertEquals(ImportState.DONE, ImportState.derive("importer_done", false));
    }

    @ParameterizedTest(name = "\"{0}\" -> unknown")
    @ValueSource(strings = {"importer_some_future_step", "IMPORTER_DONE", "importer_canceled", "done", ""})
    void an_unrecognised_status_of_a_valid_operation_is_unknown(String status) {
        assertEquals(ImportState.UNKNOWN, ImportState.derive(status, true));
        assertFalse(ImportState.isKnownStatus(status));
    }

    @Test
    void labels_are_the_lower_case_names_used_by_the_server_and_the_metrics() {
        assertEquals("none", ImportState.NONE.label());
        assertEquals("canceled", ImportState.CANCELED.label());
        assertEquals("unknown", ImportState.UNKNOWN.label());
        assertEquals(9, ImportState.values().length);
    }

    @Test
    void from_label_reads_every_server_state_but_never_unknown() {
        for (ImportState s : ImportState.values()) {
            Optional<ImportState> parsed = ImportState.fromLabel(s.label());
            if (s == ImportState.UNKNOWN) {
                assertEquals(Optional.empty(), parsed);
            } else {
                assertEquals(Optional.of(s), parsed);
            }
        }
        assertEquals(Optional.empty(), ImportState.fromLabel("Importing"));
        assertEquals(Optional.empty(), ImportState.fromLabel("cancelled"));
    }

    @Test
    void only_loading_and_importing_are_watched_for_stalls() {
        assertEquals(Set.of(ImportState.LOADING, ImportState.IMPORTING), ImportState.ACTIVE);
    }
}
