package io.rcimport.exporter.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The operations a newer one replaced, newest first, as Rocket.Chat keeps them for
 * {@code getLatestImportOperations} (20 operations with the current one). Not thread-safe: the
 * simulation calls it under its own lock.
 */
final class ReplacedOperations {
    /** How many operations getLatestImportOperations returns, the current one included. */
    static final int HISTORY = 20;

    private final Deque<OperationRecord> replaced = new ArrayDeque<>();

    /** {@code old} is replaced at {@code at}: a running one is invalidated, as Rocket.Chat does. */
    void replace(OperationRecord old, Instant at) {
        if (!old.isOver()) {
            old.invalidate(at);
        }
        replaced.addFirst(old);
        while (replaced.size() > HISTORY - 1) {
            replaced.removeLast();
        }
    }

    /** Appends them to {@code body}, newest first. */
    void writeTo(ArrayNode body) {
        replaced.forEach(op -> op.writeOperation(body.addObject()));
    }
}
