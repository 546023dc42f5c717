package io.rcimport.exporter.alert;

import io.rcimport.exporter.config.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
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

    record Payload(byte[] body, String contentType) {
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
    private final Deque<Payload> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;
    private long dropped;

    DeliveryQueue(String sink, URI url, Map<String, Secret> headers, int capacity, boolean coalesce,
                  HttpClient http, ScheduledExecutorService timer, Duration timeout, DeliveryCounter counter) {
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
            if (busy || closed || queue.isEmpty()) {
                return;
            }
            busy = true;
            next = queue.peekFirst();
        }
        attempt(next, 1);
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
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .orTimeout(timeout.toMillis() + 500, TimeUnit.MILLISECONDS)
                .whenComplete((response, error) -> {
                    if (error == null && response.statusCode() / 100 == 2) {
                        finish(payload, SUCCESS, null);
                        return;
                    }
                    boolean retryable = error != null || response.statusCode() >= 500 || response.statusCode() == 429;
                    String why = error != null ? unwrap(error).getClass().getSimpleName() : "HTTP " + response.statusCode();
                    if (!retryable) {
                        finish(payload, REJECTED, why);
                        return;
                    }
                    if (attemptNo >= MAX_ATTEMPTS) {
                        finish(payload, DROPPED, why + " after " + attemptNo + " attempts");
                        return;
                    }
                    counter.count(sink, RETRY);
                    if (attemptNo == 1) {
                        LOG.warn("sink={} endpoint={} event=delivery_failed msg=\"{}\" retrying=true", sink, endpointForLogs, why);
                    }
                    long delay = backoffMillis(attemptNo);
                    try {
                        timer.schedule(() -> retry(payload, attemptNo + 1), delay, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        finish(payload, DROPPED, "shutting down");
                    }
                });
    }

    /** The failure itself, not the {@code CompletionException} the future wraps it in. */
    private static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Before a retry, a coalescing queue may hold something newer: send that instead. */
    private void retry(Payload payload, int attemptNo) {
        Payload next = payload;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (coalesce && queue.size() > 1) {
                queue.pollFirst();
                next = queue.peekFirst();
                attemptNo = 1;
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
