package io.rcimport.exporter.poll;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.poll.PollTestSupport.config;
import static io.rcimport.exporter.poll.PollTestSupport.smallBreaker;
import static io.rcimport.exporter.poll.PollTestSupport.target;
import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import io.rcimport.exporter.status.StatusStore;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler on the real clock against WireMock. Timing assertions are one-sided (something
 * did NOT happen before an instant; enough polls happened within a generous limit), so a slow
 * machine can only make them pass later, not fail.
 */
class PollSchedulerTest {
    private static final String STATUS = "/api/v1/import.status";
    private static final Duration INTERVAL = Duration.ofMillis(200);

    private final Clock clock = Clock.systemUTC();
    private WireMockServer wm;
    private ExecutorService httpExecutor;
    private HttpClient http;
    private ScheduledThreadPoolExecutor timer;
    private PollScheduler scheduler;
    private StatusStore store;
    private final Map<String, AtomicInteger> observedDurations = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        httpExecutor = Executors.newFixedThreadPool(2, new NamedThreads("test-http-client"));
        http = RocketChatClient.newHttpClient(Duration.ofSeconds(2), httpExecutor);
        timer = new ScheduledThreadPoolExecutor(1, new NamedThreads("test-timer"));
    }

    @AfterEach
    void tearDown() {
        if (scheduler != null) {
            scheduler.stop(Duration.ZERO);
        }
        timer.shutdownNow();
        httpExecutor.shutdownNow();
        wm.stop();
    }

    /** Starts polling these targets every {@code interval}, one attempt per poll, with the given timeout. */
    private void startPolling(List<Config.Target> targets, Duration interval, Duration timeout) {
        Config cfg = config(targets, interval, timeout, 1, smallBreaker());
        store = new StatusStore(targets.stream().map(Config.Target::name).toList(), clock, Duration.ofMinutes(10));
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        List<ResilientPoller> pollers = targets.stream()
                .map(t -> new ResilientPoller(new RocketChatClient(t, http, timeout, RocketChatClient.DEFAULT_BODY_CAP, clock, "test"),
                        cfg, breakers, timer, clock))
                .toList();
        scheduler = new PollScheduler(timer, store, clock, interval, Duration.ofSeconds(30), new Random(42),
                (target, duration) -> observedDurations.computeIfAbsent(target, k -> new AtomicInteger()).incrementAndGet());
        scheduler.start(pollers);
    }

    private int requests(String path) {
        return wm.countRequestsMatching(getRequestedFor(urlEqualTo(path)).build()).getCount();
    }

    private List<Instant> requestTimes(String path) {
        return wm.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(path))
                .map(ServeEvent::getRequest)
                .map(r -> r.getLoggedDate().toInstant())
                .sorted(Comparator.naturalOrder())
                .toList();
    }

    private long polls(String target) {
        return store.get(target).orElseThrow().polls();
    }

    @Test
    void first_polls_spread_with_the_number_of_targets_up_to_five_seconds_or_the_interval() {
        assertEquals(10, PollScheduler.startJitterBoundMillis(Duration.ofSeconds(15), 1));
        assertEquals(1_000, PollScheduler.startJitterBoundMillis(Duration.ofSeconds(15), 100));
        assertEquals(5_000, PollScheduler.startJitterBoundMillis(Duration.ofSeconds(15), 1_000));
        assertEquals(1_000, PollScheduler.startJitterBoundMillis(Duration.ofSeconds(1), 1_000));
        assertEquals(1, PollScheduler.startJitterBoundMillis(Duration.ofMillis(1), 0));
    }

    @Test
    void every_poll_lands_in_the_store_and_its_duration_is_observed() {
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json"))));
        startPolling(List.of(target("main", wm.baseUrl())), INTERVAL, Duration.ofSeconds(2));

        await("three polls recorded", () -> polls("main") >= 3);

        assertEquals(Outcome.SUCCESS, store.get("main").orElseThrow().lastOutcome().orElseThrow());
        assertTrue(observedDurations.get("main").get() >= 3);
    }

    @Test
    void after_a_429_the_next_poll_waits_for_the_rate_limit_reset_not_the_interval() {
        Instant reset = clock.instant().plusMillis(2000);
        wm.stubFor(get(STATUS).inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429)
                        .withHeader("X-RateLimit-Limit", "10")
                        .withHeader("X-RateLimit-Remaining", "0")
                        .withHeader("X-RateLimit-Reset", Long.toString(reset.toEpochMilli()))
                        .withBody(bytes("429.json")))
                .willSetStateTo("free"));
        wm.stubFor(get(STATUS).inScenario("limited").whenScenarioStateIs("free")
                .willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json"))));
        startPolling(List.of(target("main", wm.baseUrl())), INTERVAL, Duration.ofSeconds(2));

        await("the 429 is recorded", () -> polls("main") >= 1);
        assertEquals(Outcome.RATE_LIMITED, store.get("main").orElseThrow().lastOutcome().orElseThrow());
        // Several intervals pass before the reset; none of them may produce a request.
        Instant checkAt = reset.minusMillis(300);
        sleepUntil(checkAt);
        if (clock.instant().isBefore(reset)) {
            assertEquals(1, requests(STATUS), "a request before the reset");
        }

        await("polling resumes after the reset", () -> requests(STATUS) >= 3);
        List<Instant> times = requestTimes(STATUS);
        // Wall clock vs. the timer's monotonic clock and millisecond rounding: a few ms of slack.
        // Without honouring the reset the second request would come ~1.8 s early.
        assertFalse(times.get(1).isBefore(reset.minusMillis(50)),
                "second request at " + times.get(1) + ", reset at " + reset);
        assertEquals(Outcome.SUCCESS, store.get("main").orElseThrow().lastOutcome().orElseThrow());
    }

    @Test
    void a_hanging_target_does_not_delay_another_targets_polls() {
        wm.stubFor(get("/slow" + STATUS).willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json")).withFixedDelay(6000)));
        wm.stubFor(get("/fast" + STATUS).willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json"))));
        startPolling(List.of(target("slow", wm.baseUrl() + "/slow"), target("fast", wm.baseUrl() + "/fast")),
                Duration.ofMillis(100), Duration.ofSeconds(10));

        await("the fast target is polled ten times", () -> polls("fast") >= 10);

        assertEquals(0, polls("slow"), "the slow poll is still hanging");
        assertEquals(1, requests("/slow" + STATUS), "one hanging poll, no overlapping second one");
        assertEquals(Outcome.SUCCESS, store.get("fast").orElseThrow().lastOutcome().orElseThrow());
    }

    @Test
    void polls_of_one_target_never_overlap_the_next_starts_after_the_previous_ends() {
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json")).withFixedDelay(500)));
        startPolling(List.of(target("main", wm.baseUrl())), Duration.ofMillis(20), Duration.ofSeconds(5));

        await("four polls", () -> polls("main") >= 4);

        List<Instant> times = requestTimes(STATUS);
        for (int i = 1; i < times.size(); i++) {
            Duration gap = Duration.between(times.get(i - 1), times.get(i));
            assertTrue(gap.compareTo(Duration.ofMillis(480)) >= 0, "requests " + (i - 1) + " and " + i + " only " + gap + " apart");
        }
    }

    @Test
    void a_removed_target_is_polled_no_more() throws Exception {
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json"))));
        startPolling(List.of(target("main", wm.baseUrl())), Duration.ofMillis(50), Duration.ofSeconds(2));
        await("polling started", () -> requests(STATUS) >= 2);

        scheduler.remove("main");
        Thread.sleep(300); // a poll in flight at removal may still land
        int settled = requests(STATUS);
        Thread.sleep(700);

        assertEquals(settled, requests(STATUS));
    }

    @Test
    void stop_ends_polling() throws Exception {
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json"))));
        startPolling(List.of(target("main", wm.baseUrl())), Duration.ofMillis(50), Duration.ofSeconds(2));
        await("polling started", () -> requests(STATUS) >= 2);

        scheduler.stop(Duration.ofSeconds(2));
        int atStop = requests(STATUS);
        Thread.sleep(700);

        assertEquals(atStop, requests(STATUS));
    }

    private static void sleepUntil(Instant t) {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
