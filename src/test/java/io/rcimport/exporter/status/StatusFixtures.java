package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** Poll results built in code, for the status tests. */
final class StatusFixtures {
    private StatusFixtures() {
    }

    static PollResult.Success success(ImportState state, String status, String opId, ImportCounts counts, Optional<Instant> updatedAt) {
        ImportOperation op = new ImportOperation(opId, "api", "api", status, true,
                Optional.of(Instant.parse("2026-05-02T09:00:00Z")), updatedAt, counts);
        byte[] raw = ("{\"state\":\"" + state.label() + "\",\"operation\":{\"_id\":\"" + opId + "\"},\"success\":true}")
                .getBytes(StandardCharsets.UTF_8);
        return new PollResult.Success(new ImportStatus(state, Optional.of(op)), raw, OptionalLong.empty());
    }

    static PollResult.Success importing(String opId, long total, long processed, Instant updatedAt) {
        return success(ImportState.IMPORTING, "importer_importing_messages", opId,
                new ImportCounts(total, processed, 0, 0, 0, total), Optional.of(updatedAt));
    }

    static PollResult.Success ready(String opId, long total, Instant updatedAt) {
        return success(ImportState.READY, "importer_user_selection", opId,
                new ImportCounts(total, 0, 0, total, 0, 0), Optional.of(updatedAt));
    }

    static PollResult.Success none() {
        return new PollResult.Success(ImportStatus.NONE, "{\"state\":\"none\",\"success\":true}".getBytes(StandardCharsets.UTF_8),
                OptionalLong.empty());
    }

    static PollResult.Failure failure(Outcome outcome, String message) {
        return PollResult.Failure.of(outcome, message);
    }
}
