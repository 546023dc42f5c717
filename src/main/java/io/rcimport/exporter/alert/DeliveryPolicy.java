package io.rcimport.exporter.alert;

import java.time.Clock;
import java.util.List;

/**
 * What a {@link DeliveryQueue} does beyond retrying (webhooks). {@code limit}: posts a minute
 * and 429 waits (null: none, and a 429 is backed off like a 5xx). {@code merger}: merges
 * waiting payloads into one when more wait than the limit lets through (null: never).
 * {@code rejectServerErrorAfter}: a 500 is rejected at that attempt, logged with
 * {@code rejectHint} (0: a 500 is retried like any 5xx).
 */
record DeliveryPolicy(HookRateLimit limit, Merger merger, int rejectServerErrorAfter, String rejectHint, Clock clock) {

    /** Merges payloads (oldest first) into one. */
    @FunctionalInterface
    interface Merger {
        DeliveryQueue.Payload merge(List<DeliveryQueue.Payload> payloads);
    }

    /** Alertmanager: no limit, no merging, a 429 is backed off like a 5xx. */
    static DeliveryPolicy none() {
        return new DeliveryPolicy(null, null, 0, "", Clock.systemUTC());
    }

    boolean honoursRateLimitAnswers() {
        return limit != null;
    }
}
