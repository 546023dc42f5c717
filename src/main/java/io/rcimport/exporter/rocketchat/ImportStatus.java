package io.rcimport.exporter.rocketchat;

import java.util.Optional;

/** A parsed {@code import.status} answer: the state and, unless it is {@code none}, the operation. */
public record ImportStatus(ImportState state, Optional<ImportOperation> operation) {
    public static final ImportStatus NONE = new ImportStatus(ImportState.NONE, Optional.empty());

    public ImportCounts counts() {
        return operation.map(ImportOperation::counts).orElse(ImportCounts.EMPTY);
    }
}
