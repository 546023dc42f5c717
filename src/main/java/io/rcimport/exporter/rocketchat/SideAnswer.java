package io.rcimport.exporter.rocketchat;

import java.time.Instant;
import java.util.Optional;

/**
 * What a call to one of the neighbouring routes ({@code /api/info},
 * {@code getLatestImportOperations}) gave: the value, or why not. These calls never affect
 * polling: their failures are reported here, not as poll outcomes.
 */
public sealed interface SideAnswer<T> permits SideAnswer.Got, SideAnswer.Refused, SideAnswer.Failed {

    /** The route answered with a usable body. */
    record Got<T>(T value) implements SideAnswer<T> {
    }

    /** The user may not call the route (403, or 9.0's 401 for a missing permission): asking again will not help. */
    record Refused<T>(String message) implements SideAnswer<T> {
    }

    /** Anything else; {@code notBefore} after a rate-limit answer (each route has its own bucket). */
    record Failed<T>(String message, Optional<Instant> notBefore) implements SideAnswer<T> {
    }
}
