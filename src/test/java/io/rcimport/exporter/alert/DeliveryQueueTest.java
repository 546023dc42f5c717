package io.rcimport.exporter.alert;

import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.Eventually.pause;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Secret;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded, retrying, never-blocking delivery behind both sinks. */
class DeliveryQueueTest {
    private static final String PATH = "/hooks/x";

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new NamedThreads("test-delivery-timer"));
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2, new NamedThreads("test-delivery-http"));
    private final HttpClient http = HttpClient.newBuilder().executor(httpThreads).connectTimeout(Duration.ofSeconds(2)).build();
    private final RecordingCounter counter = new RecordingCounter();
    private final Receiver receiver = new Receiver(PATH).answering(200);
    private DeliveryQueue queue;

    @AfterEach
    void stop_everything() {
        if (queue != null) {
            queue.close();
        }
        receiver.close();
        timer.shutdownNow();
        httpThreads.shutdownNow();
    }

    private DeliveryQueue queue(URI url, int capacity, boolean coalesce) {
        return queue(url, Map.of(), capacity, coalesce);
    }

    private DeliveryQueue queue(URI url, Map<String, Secret> headers, int capacity, boolean coalesce) {
        queue = new DeliveryQueue("sink-under-test", url, headers, capacity, coalesce, http, timer, Duration.ofSeconds(10), counter);
        return queue;
    }

    private static DeliveryQueue.Payload payload(String text) {
        return new DeliveryQueue.Payload(("{\"n\":\"" + text + "\"}").getBytes(UTF_8), "application/json");
    }

    private List<String> received() {
        return receiver.requests().stream().map(LoggedRequest::getBodyAsString).map(b -> Receiver.parse(b).path("n").asText()).toList();
    }

    private static URI nothingListening() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port + PATH);
    }

    @Test
    void payloads_are_delivered_one_at_a_time_in_order() {
        DeliveryQueue q = queue(receiver.url(), 16, false);

        for (int i = 1; i <= 5; i++) {
            q.offer(payload("p" + i));
        }

        await("all five", () -> counter.of(DeliveryQueue.SUCCESS) == 5);
        assertEquals(List.of("p1", "p2", "p3", "p4", "p5"), received());
        assertEquals(0, q.pending());
    }

    @Test
    void a_dead_endpoint_keeps_memory_bounded_by_dropping_the_oldest_and_counting_each_drop() throws IOException {
        DeliveryQueue q = queue(nothingListening(), 3, false);

        for (int i = 1; i <= 50; i++) {
            q.offer(payload("p" + i));
        }

        // the first is being retried (connection refused; backoff 1 s, 2 s, 4 s ...): 3 wait behind it
        assertEquals(4, q.pending(), "one in flight plus capacity waiting");
        assertEquals(46, counter.of(DeliveryQueue.DROPPED));
        await("a retry of the one in flight", () -> counter.of(DeliveryQueue.RETRY) >= 1);
    }

    @Test
    void when_full_the_oldest_waiting_payload_is_dropped_never_the_one_in_flight_and_each_payload_gets_one_outcome() {
        receiver.answerAfter(200, 1500);
        DeliveryQueue q = queue(receiver.url(), 1, false);

        q.offer(payload("p1")); // in flight for 1.5 s
        q.offer(payload("p2")); // waits
        q.offer(payload("p3")); // the queue is full: p2, the oldest waiting, goes

        await("p1 and p3", () -> counter.of(DeliveryQueue.SUCCESS) == 2, () -> counter.counts.toString());
        assertEquals(List.of("p1", "p3"), received());
        assertEquals(1, counter.of(DeliveryQueue.DROPPED), counter.counts.toString());
        assertEquals(3, counter.total(), "one outcome per payload: " + counter.counts);
    }

    @Test
    void a_coalescing_queue_sends_only_the_newest_of_the_payloads_waiting_behind_the_one_in_flight() {
        receiver.answerAfter(200, 1500);
        DeliveryQueue q = queue(receiver.url(), 1, true);

        for (int i = 1; i <= 5; i++) {
            q.offer(payload("p" + i));
        }

        await("the first and the newest", () -> counter.of(DeliveryQueue.SUCCESS) == 2);
        assertEquals(List.of("p1", "p5"), received());
        pause(Duration.ofMillis(500));
        assertEquals(2, receiver.count());
    }

    @Test
    void a_coalescing_queue_retries_with_the_newest_payload_not_the_failed_one() {
        StubMapping unavailable = receiver.answer(503);
        DeliveryQueue q = queue(receiver.url(), 1, true);
        q.offer(payload("p1"));
        await("p1 refused", () -> receiver.bodiesAnswered(503).size() >= 1);

        q.offer(payload("p2"));
        await("p2 refused", () -> receiver.bodiesAnswered(503).stream().anyMatch(b -> b.path("n").asText().equals("p2")));
        receiver.remove(unavailable);

        await("p2 accepted", () -> counter.of(DeliveryQueue.SUCCESS) == 1);
        List<String> accepted = receiver.bodiesAnswered(200).stream().map(b -> b.path("n").asText()).toList();
        assertEquals(List.of("p2"), accepted);
        List<String> sent = received();
        assertEquals("p2", sent.get(sent.size() - 1));
        assertTrue(sent.indexOf("p2") > sent.lastIndexOf("p1"), "p1 is never sent after p2 was offered: " + sent);
    }

    @Test
    void a_request_that_cannot_be_built_is_rejected_and_does_not_wedge_the_queue() {
        // config validation refuses such headers; the queue must survive them anyway
        DeliveryQueue q = queue(receiver.url(), Map.of("Host", Secret.of("elsewhere.example")), 4, false);

        assertDoesNotThrow(() -> q.offer(payload("p1")));
        assertDoesNotThrow(() -> q.offer(payload("p2")));

        await("both rejected", () -> counter.of(DeliveryQueue.REJECTED) == 2, () -> counter.counts.toString());
        assertEquals(0, q.pending());
        assertEquals(0, receiver.count());
    }

    @Test
    void nothing_is_sent_once_closed() {
        receiver.answerAfter(200, 1000);
        DeliveryQueue q = queue(receiver.url(), 4, false);
        q.offer(payload("p1"));
        q.offer(payload("p2"));

        q.close();
        q.offer(payload("p3"));

        await("the one in flight to finish", () -> counter.total() == 1);
        pause(Duration.ofMillis(300));
        assertEquals(List.of("p1"), received());
        assertEquals(0, q.pending());
    }

    @Test
    void backoff_doubles_from_one_second_with_jitter_and_stops_growing_at_thirty() {
        for (int attempt = 1; attempt <= 12; attempt++) {
            long base = Math.min(30_000, 1000L << (attempt - 1));
            for (int i = 0; i < 200; i++) {
                long delay = DeliveryQueue.backoffMillis(attempt);
                assertTrue(delay >= base / 2 && delay <= base, "attempt " + attempt + ": " + delay + " ms");
            }
        }
    }
}
