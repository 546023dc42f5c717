package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.Outcome;
import java.time.Instant;

/** The last failed poll: what kind, what happened (no secrets), when. */
public record PollError(Outcome outcome, String message, Instant at) {
}
