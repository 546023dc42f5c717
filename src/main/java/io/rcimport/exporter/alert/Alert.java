package io.rcimport.exporter.alert;

import java.time.Instant;
import java.util.Optional;

/**
 * One firing condition for one target. Identity for start/end is {@code (name, target)}:
 * a severity or description change of a firing alert is an update, not a new alert.
 */
public record Alert(String name, Severity severity, String target, Optional<String> operationId,
                    String summary, String description, Instant startsAt) {

    public static final String FAILED = "RocketChatImportFailed";
    public static final String CANCELED = "RocketChatImportCanceled";
    public static final String STALLED = "RocketChatImportStalled";
    public static final String TARGET_DOWN = "RocketChatImportTargetDown";
    public static final String AWAITING_OPERATOR = "RocketChatImportAwaitingOperator";
    public static final String COMPLETED_WITH_ERRORS = "RocketChatImportCompletedWithErrors";

    public String key() {
        return name + "/" + target;
    }

    Alert withStartsAt(Instant at) {
        return new Alert(name, severity, target, operationId, summary, description, at);
    }
}
