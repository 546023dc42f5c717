package io.rcimport.exporter.alert;

import io.rcimport.exporter.config.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers payloads to one HTTP endpoint, one at a time, in order, without ever blocking the
 * caller: a bounded queue (a dead endpoint drops the oldest, counted and logged, so memory
 * stays bounded), retries with exponential backoff and jitter on connection errors, 5xx and
 * 429, no retry on other 4xx. With {@code coalesce}, only the newest waiting payload is kept
 * (Alertmanager: each push carries the whole current set, so older ones are superseded).
 * A {@link DeliveryPolicy} (webhooks) adds a per-minute limit, merging of waiting payloads into one
 * (a digest) when more wait than the limit lets through, 429s that wait as the answer says,
 * and a 500 that is rejected after a few attempts.
 */
final class DeliveryQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("alert");
    static final int MAX_ATTEMPTS = 5;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Labels of {@code rocketchat_import_alerts_sent_total{outcome}}. */
    static final String SUCCESS = "success";
    static final String RETRY = "retry";
    static final String DROPPED = "dropped";
    static final String REJECTED = "rejected";
    /** The payload went out inside another one (a digest). */
    static final String COALESCED = "coalesced";

    /** What is sent; {@code events}: what it tells (webhooks; empty for Alertmanager), so waiting ones can be merged. */
    record Payload(byte[] body, String contentType, List<ImportEvent> events) {
        Payload {
            events = List.copyOf(events);
        }

        Payload(byte[] body, String contentType) {
            this(body, contentType, List.of());
        }
    }

    private final String sink;
    private final String endpointForLogs;
    private final URI url;
    private final Map<String, Secret> headers;
    private final int capacity;
    private final boolean coalesce;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private final DeliveryCounter counter;
    private final DeliveryPolicy policy;
    private final HookRateLimit limit;
    private final Deque<Payload> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;
    private boolean wakeScheduled;
    private long dropped;
    /** Told after the waiting payloads changed (one added, one finished), so they can be kept on disk. */
    private volatile Runnable changed = () -> { };

    DeliveryQueue(String sink, URI url, Map<String, Secret> headers, int capacity, boolean coalesce,
                  HttpClient http, ScheduledExecutorService timer, Duration timeout, DeliveryCounter counter) {
        this(sink, url, headers, capacity, coalesce, http, timer, timeout, counter, DeliveryPolicy.none());
    }

    DeliveryQueue(String sink, URI url, Map<String, Secret> headers, int capacity, boolean coalesce,
                  HttpClient http, ScheduledExecutorService timer, Duration timeout, DeliveryCounter counter,
                  DeliveryPolicy policy) {
        this.policy = policy;
        this.limit = policy.limit() != null ? policy.limit() : HookRateLimit.unlimited(policy.clock());
        this.sink = sink;
        this.url = url;
        // The host only: webhook URLs often carry a token in their path.
        this.endpointForLogs = url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
        this.headers = Map.copyOf(headers);
        this.capacity = capacity;
        this.coalesce = coalesce;
        this.http = http;
        this.timer = timer;
        this.timeout = timeout;
        this.counter = counter;
    }

    void offer(Payload payload) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (coalesce) {
                // Keep the one in flight (the head, if busy); everything else waiting is superseded.
                while (queue.size() > (busy ? 1 : 0)) {
                    queue.pollLast();
                }
            } else if (queue.size() - (busy ? 1 : 0) >= capacity && policy.merger() != null) {
                // Never lose them: everything waiting becomes one payload.
                mergeWaiting(busy ? 1 : 0);
            } else if (queue.size() - (busy ? 1 : 0) >= capacity) {
                // Drop the oldest waiting one; the head, if busy, is in flight and gets its own outcome.
                Payload inFlight = busy ? queue.pollFirst() : null;
                queue.pollFirst();
                if (inFlight != null) {
                    queue.addFirst(inFlight);
                }
                dropped++;
                counter.count(sink, DROPPED);
                if (dropped == 1 || dropped % 100 == 0) {
                    LOG.warn("sink={} endpoint={} event=delivery_dropped reason=queue_full dropped_total={}",
                            sink, endpointForLogs, dropped);
                }
            }
            queue.addLast(payload);
        }
        changed.run();
        kick();
    }

    /** Who is told of each change of the waiting payloads; once, before the first offer. */
    void onChange(Runnable listener) {
        this.changed = listener;
    }

    /** The payloads not delivered yet, oldest first (the one in flight included): what a restart must not lose. */
    List<Payload> waiting() {
        synchronized (this) {
            return List.copyOf(queue);
        }
    }

    /**
     * Payloads kept across a restart, delivered before anything newer, oldest first. They carry
     * no events, so a digest never swallows them (see {@link #mergeWaiting}).
     */
    void restore(List<Payload> kept) {
        synchronized (this) {
            if (closed) {
                return;
            }
            for (int i = kept.size() - 1; i >= 0; i--) {
                queue.addFirst(kept.get(i));
            }
        }
        kick();
    }

    int pending() {
        synchronized (this) {
            return queue.size();
        }
    }

    private void kick() {
        Payload next;
        synchronized (this) {
            if (busy || closed || queue.isEmpty() || wakeScheduled) {
                return;
            }
            Duration wait = limit.untilNextPost();
            if (!wait.isZero()) {
                wakeScheduled = later(() -> {
                    synchronized (this) {
                        wakeScheduled = false;
                    }
                    kick();
                }, wait);
                return;
            }
            busy = true;
            // More waiting than the limit lets through in this minute: all of them go out as one.
            if (queue.size() > limit.remaining()) {
                mergeWaiting(0);
            }
            next = queue.peekFirst();
        }
        attempt(next, 1);
    }

    /** Merges the payloads from index {@code from} on into one, in place (see {@link WaitingMerge}). */
    private void mergeWaiting(int from) {
        if (policy.merger() == null) {
            return;
        }
        WaitingMerge merge = WaitingMerge.of(List.copyOf(queue), from, policy.merger());
        queue.clear();
        queue.addAll(merge.payloads());
        for (int i = 0; i < merge.coalesced(); i++) {
            counter.count(sink, COALESCED);
        }
    }

    /** Runs {@code task} after {@code delay} on the timer; false if the timer is shut down. */
    private boolean later(Runnable task, Duration delay) {
        try {
            timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void attempt(Payload payload, int attemptNo) {
        HttpRequest request;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("Content-Type", payload.contentType())
                    .header("User-Agent", "rocketchat-import-exporter")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload.body()));
            // header() validates at once: a refused name or value must not escape with the queue busy
            headers.forEach((name, value) -> b.header(name, value.reveal()));
            request = b.build();
        } catch (IllegalArgumentException e) {
            finish(payload, REJECTED, "request could not be built: " + e.getClass().getSimpleName());
            return;
        }
        limit.posted();
        http.sendAsync(request, RateLimitAnswer.bodyHandler())
                .orTimeout(timeout.toMillis() + 500, TimeUnit.MILLISECONDS)
                .whenComplete((response, error) -> answered(payload, attemptNo, response, error));
    }

    private void answered(Payload payload, int attemptNo, HttpResponse<byte[]> response, Throwable error) {
        PostVerdict verdict = PostVerdict.of(error == null ? response.statusCode() : 0, error == null ? null : unwrap(error),
                attemptNo, policy);
        switch (verdict.kind()) {
            case DELIVERED -> finish(payload, SUCCESS, null);
            case REJECTED -> finish(payload, REJECTED, verdict.why());
            case DROPPED -> finish(payload, DROPPED, verdict.why());
            case RETRY -> {
                counter.count(sink, RETRY);
                if (attemptNo == 1) {
                    LOG.warn("sink={} endpoint={} event=delivery_failed msg=\"{}\" retrying=true", sink, endpointForLogs, verdict.why());
                }
                retryLater(payload, attemptNo + 1, Duration.ofMillis(backoffMillis(attemptNo)));
            }
            case WAIT_AS_TOLD -> {
                // Not a failed attempt: the payload waits as the answer says and goes again.
                counter.count(sink, RETRY);
                Instant now = policy.clock().instant();
                Instant until = RateLimitAnswer.waitUntil(response, now);
                limit.blockedUntil(until);
                Duration delay = Duration.between(now, until);
                LOG.warn("sink={} endpoint={} event=delivery_rate_limited msg=\"HTTP 429\" retry_in={}s",
                        sink, endpointForLogs, Math.max(1, delay.toSeconds()));
                retryLater(payload, attemptNo, delay);
            }
        }
    }

    private void retryLater(Payload payload, int attemptNo, Duration delay) {
        if (!later(() -> retry(payload, attemptNo), delay)) {
            finish(payload, DROPPED, "shutting down");
        }
    }

    /** The failure itself, not the {@code CompletionException} the future wraps it in. */
    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /**
     * Before a retry, a coalescing queue may hold something newer: send that instead; a merging
     * queue sends the failed payload and everything waiting behind it as one. The limit holds
     * for retries too: the endpoint counts requests.
     */
    private void retry(Payload payload, int attemptOfPayload) {
        Payload next = payload;
        int attemptNo = attemptOfPayload;
        synchronized (this) {
            if (closed) {
                return;
            }
            Duration wait = limit.untilNextPost();
            if (!wait.isZero()) {
                if (!later(() -> retry(payload, attemptOfPayload), wait)) {
                    busy = false;
                }
                return;
            }
            if (coalesce && queue.size() > 1) {
                queue.pollFirst();
                next = queue.peekFirst();
                attemptNo = 1;
            } else if (policy.merger() != null && queue.size() > 1 && queue.peekFirst() == payload) {
                mergeWaiting(0);
                next = queue.peekFirst();
            }
        }
        attempt(next, attemptNo);
    }

    static long backoffMillis(int attemptNo) {
        long base = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(20, attemptNo - 1));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    private void finish(Payload payload, String outcome, String why) {
        counter.count(sink, outcome);
        if (!SUCCESS.equals(outcome)) {
            LOG.warn("sink={} endpoint={} event=delivery_{} msg=\"{}\"", sink, endpointForLogs, outcome, why);
        }
        synchronized (this) {
            if (queue.peekFirst() == payload) {
                queue.pollFirst();
            }
            busy = false;
        }
        changed.run();
        kick();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
        }
    }
}
