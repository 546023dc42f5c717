package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The last good {@code import.status} of one target and what was derived from it, once, when it
 * arrived: never recomputed on the read path.
 *
 * @param fetchedAt        when the poll that returned it ended (our clock)
 * @param stateSince       since when (our clock) the reported state has been the current one
 * @param heartbeatSince   since when (our clock) {@code operation._updatedAt} has had its current value
 * @param stalled          loading or importing, and the heartbeat unchanged for {@code stall_after}
 * @param awaitingOperator at a step that waits for an admin, and the heartbeat unchanged for
 *                         {@code awaiting_operator_after}; never together with {@code stalled}
 * @param restored         kept on disk before the agent restarted and not yet confirmed by a poll:
 *                         shown, but stale (its data series stay withdrawn until a poll confirms it)
 */
public record LastGoodImport(
        Instant fetchedAt,
        ImportStatus status,
        RawStatus raw,
        Instant stateSince,
        ProgressHistory history,
        OptionalDouble recordsPerSecond,
        OptionalDouble etaSeconds,
        boolean stalled,
        boolean awaitingOperator,
        Optional<Instant> heartbeatSince,
        boolean restored) {
}
