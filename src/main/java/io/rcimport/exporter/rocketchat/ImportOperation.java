package io.rcimport.exporter.rocketchat;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The newest import operation as {@code import.status} reports it. {@code status} is an open
 * set: new servers add steps. {@code updatedAt} is the import's heartbeat: it changes on every
 * status or count write.
 */
public record ImportOperation(
        String id,
        String type,
        String importerKey,
        String status,
        boolean valid,
        Optional<Instant> createdAt,
        Optional<Instant> updatedAt,
        ImportCounts counts) {

    static final String FAILED_STATUS = "importer_import_failed";
    /**
     * Steps at which the import waits for a person: after an upload, preparation runs only when
     * an admin opens the import's preparation page; at user selection, until an admin presses Start.
     */
    static final Set<String> AWAITING_OPERATOR_STATUSES = Set.of("importer_file_loaded", "importer_user_selection");

    /**
     * A real failure: the importer failed a valid operation. The same status on an invalid
     * operation is the importer aborting work that was already invalidated (a clear, a new
     * import, the restart of any server instance): see {@link #abortedAfterInvalidation()}.
     */
    public boolean failedByImporter() {
        return FAILED_STATUS.equals(status) && valid;
    }

    /** {@code importer_import_failed} on an operation already invalidated: the importer noticed and stopped. */
    public boolean abortedAfterInvalidation() {
        return FAILED_STATUS.equals(status) && !valid;
    }

    /** At a step that waits for an admin, not for the importer (see {@link #AWAITING_OPERATOR_STATUSES}). */
    public boolean atOperatorStep() {
        return valid && AWAITING_OPERATOR_STATUSES.contains(status);
    }
}
