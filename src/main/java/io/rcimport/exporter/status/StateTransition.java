package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.ImportState;
import java.time.Instant;

/**
 * An observed change of the reported import state. {@code afterRestart}: seen by the first poll
 * after the agent restarted, against the state it had kept on disk: the change happened while
 * the agent was down, some time before {@code at}.
 */
public record StateTransition(ImportState from, ImportState to, Instant at, boolean afterRestart) {
    public StateTransition(ImportState from, ImportState to, Instant at) {
        this(from, to, at, false);
    }
}
