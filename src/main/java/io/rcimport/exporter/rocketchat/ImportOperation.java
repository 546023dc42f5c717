package io.rcimport.exporter.rocketchat;

import java.time.Instant;
import java.util.Optional;

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

    /** True when Rocket.Chat itself marked the import as failed (not cleared or restarted). */
    public boolean failedByImporter() {
        return "importer_import_failed".equals(status);
    }
}
