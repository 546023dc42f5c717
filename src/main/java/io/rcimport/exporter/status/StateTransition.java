package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportState;
import java.time.Instant;

/** An observed change of the reported import state. */
public record StateTransition(ImportState from, ImportState to, Instant at) {
}
