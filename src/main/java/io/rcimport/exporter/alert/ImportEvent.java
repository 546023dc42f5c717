package io.rcimport.exporter.alert;

import io.rcimport.exporter.rocketchat.ImportCounts;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What webhooks receive: a state change, or an alert starting or ending, with the import's
 * numbers at that moment. Serialised by {@link EventJson}; documented in the README.
 * {@code afterRestart}: a state change seen by the first poll after the agent restarted (it
 * happened while the agent was down). {@code labels}: the target's configured labels
 * ({@code targets[].labels}), attached by the sink that sends the event.
 */
public record ImportEvent(
        Kind kind,
        String target,
        String from,
        String to,
        String status,
        boolean valid,
        Optional<String> operationId,
        ImportCounts counts,
        OptionalDouble progress,
        Instant at,
        Optional<Alert> alert,
        boolean afterRestart,
        Map<String, String> labels) {

    public ImportEvent {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** Without labels. */
    public ImportEvent(Kind kind, String target, String from, String to, String status, boolean valid,
                       Optional<String> operationId, ImportCounts counts, OptionalDouble progress, Instant at,
                       Optional<Alert> alert, boolean afterRestart) {
        this(kind, target, from, to, status, valid, operationId, counts, progress, at, alert, afterRestart, Map.of());
    }

    public ImportEvent(Kind kind, String target, String from, String to, String status, boolean valid,
                       Optional<String> operationId, ImportCounts counts, OptionalDouble progress, Instant at,
                       Optional<Alert> alert) {
        this(kind, target, from, to, status, valid, operationId, counts, progress, at, alert, false);
    }

    /** This event, marked as seen (or not) by the first poll after a restart. */
    public ImportEvent afterRestart(boolean seenAfterRestart) {
        return new ImportEvent(kind, target, from, to, status, valid, operationId, counts, progress, at, alert, seenAfterRestart,
                labels);
    }

    /** This event with the target's labels. */
    public ImportEvent withLabels(Map<String, String> targetLabels) {
        return new ImportEvent(kind, target, from, to, status, valid, operationId, counts, progress, at, alert, afterRestart,
                targetLabels);
    }

    public enum Kind {
        STATE_CHANGE("state_change"), ALERT_FIRING("alert_firing"), ALERT_RESOLVED("alert_resolved");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
