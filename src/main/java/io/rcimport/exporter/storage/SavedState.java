package io.rcimport.exporter.storage;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the agent keeps on disk under {@code storage.path} so that a restart loses nothing: per
 * target the last good status, its progress history and the firing alerts, and the undelivered
 * payloads of each alert sink. Plain data, no secrets: raw {@code import.status} bodies and
 * payloads carry none, and sinks are named by index and a fingerprint of their URL, never the URL.
 *
 * @param version the file format, {@link #FORMAT}
 */
public record SavedState(int version, Instant savedAt, List<SavedTarget> targets, List<SavedQueue> deliveries) {
    /** The format this agent writes; it reads this one only (an older or newer file is set aside, logged). */
    public static final int FORMAT = 1;

    public SavedState {
        targets = List.copyOf(targets);
        deliveries = List.copyOf(deliveries);
    }

    public static SavedState empty(Instant at) {
        return new SavedState(FORMAT, at, List.of(), List.of());
    }

    /** One target: its last good poll (if any) and the alerts firing for it. */
    public record SavedTarget(String name, Optional<SavedImport> lastGood, List<SavedAlert> alerts) {
        public SavedTarget {
            alerts = List.copyOf(alerts);
        }
    }

    /**
     * The last good poll: the body exactly as Rocket.Chat sent it (UTF-8 JSON, re-parsed on load),
     * when it was fetched, since when its state and heartbeat held, and the progress samples of
     * the operation {@code historyOperationId} (so rate and ETA go on after a restart).
     */
    public record SavedImport(Instant fetchedAt, String rawBody, Instant stateSince, Optional<Instant> heartbeatSince,
                              String historyOperationId, List<SavedSample> samples) {
        public SavedImport {
            samples = List.copyOf(samples);
        }
    }

    public record SavedSample(Instant at, long processed) {
    }

    /** A firing alert; {@code severity} is its label ({@code info}, {@code warning}, {@code critical}). */
    public record SavedAlert(String name, String severity, Optional<String> operationId, String summary, String description,
                             Instant startsAt) {
    }

    /**
     * The payloads one sink had not delivered, oldest first. {@code sink} is its metric name
     * ({@code webhook-0}); {@code endpoint} a fingerprint of its URL, so a payload kept for one
     * URL is never sent to another after a configuration change.
     */
    public record SavedQueue(String sink, String endpoint, List<SavedPayload> payloads) {
        public SavedQueue {
            payloads = List.copyOf(payloads);
        }
    }

    /** A body as it would be posted, with its content type. Equal when the bytes are (not the array). */
    public record SavedPayload(String contentType, byte[] body) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SavedPayload other && contentType.equals(other.contentType) && Arrays.equals(body, other.body);
        }

        @Override
        public int hashCode() {
            return 31 * contentType.hashCode() + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            return "SavedPayload[contentType=" + contentType + ", body=" + body.length + " bytes]";
        }
    }
}
