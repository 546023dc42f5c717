package io.rcimport.exporter.status;

import java.time.Duration;

/**
 * How long the import's heartbeat ({@code operation._updatedAt}) may stand still before it means
 * something: {@code stallAfter} at a step the importer works through (stalled), and
 * {@code awaitingOperatorAfter} at a step that waits for an admin (awaiting an operator).
 */
public record HeartbeatLimits(Duration stallAfter, Duration awaitingOperatorAfter) {
    public static final Duration DEFAULT_AWAITING_OPERATOR_AFTER = Duration.ofMinutes(30);

    /** With the default {@code awaiting_operator_after}. */
    public static HeartbeatLimits stallAfter(Duration stallAfter) {
        return new HeartbeatLimits(stallAfter, DEFAULT_AWAITING_OPERATOR_AFTER);
    }
}
