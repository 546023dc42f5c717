package io.rcimport.exporter.rocketchat;

import java.util.List;
import java.util.Optional;

/**
 * Everything one poll of a target learnt: the {@code import.status} result and, when they were
 * due and fetched, the server's version and its recent import operations.
 */
public record PollReport(PollResult result, Optional<ServerVersion> version, Optional<List<ImportOperation>> recentOperations) {
    public PollReport {
        recentOperations = recentOperations.map(List::copyOf);
    }

    /** A poll that fetched only the status. */
    public static PollReport of(PollResult result) {
        return new PollReport(result, Optional.empty(), Optional.empty());
    }
}
