package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ServerVersion;
import java.util.List;
import java.util.Optional;

/**
 * What the agent knows of a target's server beside the current import: its version
 * ({@code /api/info}) and its recent import operations ({@code getLatestImportOperations}).
 * Fetched less often than the status; each kept until a newer answer replaces it.
 *
 * @param recentOperations newest first, at most 20; empty when never fetched, turned off, or forbidden
 */
public record ServerFacts(Optional<ServerVersion> version, List<ImportOperation> recentOperations) {
    public ServerFacts {
        recentOperations = List.copyOf(recentOperations);
    }

    public static ServerFacts unknown() {
        return new ServerFacts(Optional.empty(), List.of());
    }

    /** These facts with what one poll learnt: each part replaced only if the poll fetched it. */
    ServerFacts with(Optional<ServerVersion> newVersion, Optional<List<ImportOperation>> newOperations) {
        return new ServerFacts(newVersion.or(() -> version), newOperations.orElse(recentOperations));
    }
}
