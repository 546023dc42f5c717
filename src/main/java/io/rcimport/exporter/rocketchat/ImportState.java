package io.rcimport.exporter.rocketchat;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The coarse state Rocket.Chat reports for the newest import operation, plus {@link #UNKNOWN}
 * for a missing or unrecognised {@code state}. The metric label is {@link #label()}.
 */
public enum ImportState {
    NONE, NEW, LOADING, READY, IMPORTING, DONE, ERROR, CANCELED, UNKNOWN;

    private static final Map<String, ImportState> BY_STATUS = Map.ofEntries(
            Map.entry("importer_new", NEW),
            Map.entry("importer_uploading", LOADING),
            Map.entry("importer_downloading_file", LOADING),
            Map.entry("importer_file_loaded", LOADING),
            Map.entry("importer_preparing_started", LOADING),
            Map.entry("importer_preparing_users", LOADING),
            Map.entry("importer_preparing_channels", LOADING),
            Map.entry("importer_preparing_messages", LOADING),
            Map.entry("importer_preparing_contacts", LOADING),
            Map.entry("importer_user_selection", READY),
            Map.entry("importer_importing_started", IMPORTING),
            Map.entry("importer_importing_users", IMPORTING),
            Map.entry("importer_importing_contacts", IMPORTING),
            Map.entry("importer_importing_channels", IMPORTING),
            Map.entry("importer_importing_messages", IMPORTING),
            Map.entry("importer_importing_files", IMPORTING),
            Map.entry("importer_finishing", IMPORTING),
            Map.entry("importer_done", DONE),
            Map.entry("importer_import_failed", ERROR),
            Map.entry("importer_import_cancelled", CANCELED));

    /** States in which the import is supposed to be moving: the stall detector watches these. */
    public static final Set<ImportState> ACTIVE = Set.of(LOADING, IMPORTING);

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The server's own {@code state} string, if it is one of ours (never {@code unknown}). */
    public static Optional<ImportState> fromLabel(String label) {
        for (ImportState s : values()) {
            if (s != UNKNOWN && s.label().equals(label)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * What the server computes from an operation (Rocket.Chat's import service): an invalid
     * operation that is not done is {@code error}; otherwise by status; an unrecognised status is
     * {@code unknown} (the server omits {@code state} then).
     */
    public static ImportState derive(String status, boolean valid) {
        if (!valid && !"importer_done".equals(status)) {
            return ERROR;
        }
        return BY_STATUS.getOrDefault(status, UNKNOWN);
    }

    /** Whether Rocket.Chat (6.3–7.x) knows this progress step. */
    public static boolean isKnownStatus(String status) {
        return BY_STATUS.containsKey(status);
    }
}
