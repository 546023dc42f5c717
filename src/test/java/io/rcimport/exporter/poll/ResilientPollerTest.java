package io.rcimport.exporter.poll;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.poll.PollTestSupport.config;
import static io.rcimport.exporter.poll.PollTestSupport.smallBreaker;
import static io.rcimport.exporter.poll.PollTestSupport.target;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import io.rcimport.exporter.testing.TestClock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code CircuitBreaker(Retry(fetch))} against WireMock, with the breaker on a test clock. */
class ResilientPollerTest {
    private static final String STATUS = "/api/v1/import.status";

    private static WireMockServer wm;
    private static ExecutorService httpExecutor;
    private static HttpClient http;
    private ScheduledExecutorService timer;
    private TestClock clock;

    @BeforeAll
    static void startServer() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        httpExecutor = Executors.newFixedThreadPool(2, new NamedThreads("test-http-client"));
        http = RocketChatClient.newHttpClient(Duration.ofSeconds(2), httpExecutor);
    }

    @AfterAll
    static void stopServer() {
        wm.stop();
        httpExecutor.shutdownNow();
    }

    @BeforeEach
    void setUp() {
        wm.resetAll();
        clock = TestClock.at("2026-05-02T10:00:00Z");
        timer = Executors.newSingleThreadScheduledExecutor(new NamedThreads("test-timer"));
    }

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
    }

    private ResilientPoller poller(Duration interval, Duration timeout, int maxAttempts, Config.CircuitBreaker breaker) {
        Config.Target t = target("main", wm.baseUrl());
        Config cfg = config(List.of(t), interval, timeout, maxAttempts, breaker);
        RocketChatClient client = new RocketChatClient(t, http, timeout, RocketChatClient.DEFAULT_BODY_CAP, clock, "test");
        return new ResilientPoller(client, cfg, CircuitBreakerRegistry.ofDefaults(), timer, clock);
    }

    /** 3 attempts, 10 s interval (room for every retry), the small breaker. */
    private ResilientPoller poller() {
        return poller(Duration.ofSeconds(10), Duration.ofSeconds(2), 3, smallBreaker());
    }

    private static PollResult poll(ResilientPoller p) throws Exception {
        return p.poll().get(30, TimeUnit.SECONDS);
    }

    private static int statusRequests() {
        return wm.countRequestsMatching(getRequestedFor(urlEqualTo(STATUS)).build()).getCount();
    }

    private static void stub(ResponseDefinitionBuilder response) {
        wm.stubFor(get(STATUS).willReturn(response));
    }

    private static ResponseDefinitionBuilder html503() {
        return aResponse().withStatus(503).withHeader("Content-Type", "text/html").withBody("<html><body>503 Service Unavailable</body></html>");
    }

    private static ResponseDefinitionBuilder ok(String fixture) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(bytes(fixture));
    }

    // --- retry ---

    @Test
    void a_503_is_retried_and_the_poll_succeeds_with_the_second_answer() throws Exception {
        wm.stubFor(get(STATUS).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(html503()).willSetStateTo("recovered"));
        wm.stubFor(get(STATUS).inScenario("flaky").whenScenarioStateIs("recovered").willReturn(ok("status-ready.json")));
        ResilientPoller p = poller();

        PollResult.Success s = assertInstanceOf(PollResult.Success.class, poll(p));

        assertEquals(ImportState.READY, s.status().state());
        assertEquals(2, statusRequests());
        assertEquals(CircuitBreaker.State.CLOSED, p.breaker().getState());
    }

    @Test
    void a_server_that_keeps_failing_gets_max_attempts_and_the_poll_reports_the_last_failure() throws Exception {
        stub(html503());

        PollResult r = poll(poller());

        assertEquals(Outcome.SERVER_ERROR, r.outcome());
        assertEquals(3, statusRequests());
    }

    @Test
    void a_timeout_is_retried() throws Exception {
        stub(ok("status-none.json").withFixedDelay(1500));
        ResilientPoller p = poller(Duration.ofSeconds(10), Duration.ofMillis(300), 2, smallBreaker());

        assertEquals(Outcome.TIMEOUT, poll(p).outcome());
        assertEquals(2, statusRequests());
    }

    @Test
    void no_retry_is_made_when_another_attempt_would_not_fit_in_the_poll_interval() throws Exception {
        stub(html503());
        // interval 1 s < backoff (50 ms) + timeout (1 s): a retry could run into the next poll.
        ResilientPoller p = poller(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, smallBreaker());

        assertEquals(Outcome.SERVER_ERROR, poll(p).outcome());
        assertEquals(1, statusRequests());
    }

    static Stream<Arguments> answersNeverRetried() {
        return Stream.of(
                Arguments.of(aResponse().withStatus(401).withBody(bytes("401-7x.json")), Outcome.UNAUTHORIZED),
                Arguments.of(aResponse().withStatus(403).withBody(bytes("403.json")), Outcome.FORBIDDEN),
                Arguments.of(aResponse().withStatus(404).withHeader("Content-Type", "text/html").withBody(bytes("404.html")), Outcome.NOT_FOUND),
                Arguments.of(aResponse().withStatus(429).withBody(bytes("429.json")), Outcome.RATE_LIMITED),
                Arguments.of(aResponse().withStatus(400).withBody(bytes("400-rate-limited-old.json")), Outcome.RATE_LIMITED),
                Arguments.of(aResponse().withStatus(400).withBody("{\"success\":false,\"error\":\"nope\"}"), Outcome.CLIENT_ERROR),
                Arguments.of(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody(bytes("404.html")), Outcome.INVALID_RESPONSE));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("answersNeverRetried")
    void an_answer_that_another_attempt_cannot_fix_is_not_retried(ResponseDefinitionBuilder answer, Outcome expected) throws Exception {
        stub(answer);

        assertEquals(expected, poll(poller()).outcome());
        assertEquals(1, statusRequests());
    }

    // --- circuit breaker ---

    @Test
    void the_breaker_opens_after_failing_polls_and_an_open_breaker_calls_nobody() throws Exception {
        stub(html503());
        ResilientPoller p = poller(Duration.ofSeconds(10), Duration.ofSeconds(2), 1, smallBreaker());

        assertEquals(Outcome.SERVER_ERROR, poll(p).outcome());
        assertEquals(CircuitBreaker.State.CLOSED, p.breaker().getState(), "one poll is below minimum_polls");
        assertEquals(Outcome.SERVER_ERROR, poll(p).outcome());
        assertEquals(CircuitBreaker.State.OPEN, p.breaker().getState());
        assertEquals(2, statusRequests());

        PollResult.Failure open = assertInstanceOf(PollResult.Failure.class, poll(p));
        assertEquals(Outcome.CIRCUIT_OPEN, open.outcome());
        assertTrue(open.message().contains("60000 ms"), open.message());
        poll(p);
        assertEquals(2, statusRequests(), "no request while the breaker is open");
    }

    @Test
    void one_poll_retries_included_is_one_breaker_outcome() throws Exception {
        stub(html503());
        ResilientPoller p = poller(); // 3 attempts per poll

        poll(p);

        assertEquals(3, statusRequests());
        assertEquals(1, p.breaker().getMetrics().getNumberOfFailedCalls());
        assertEquals(CircuitBreaker.State.CLOSED, p.breaker().getState());
    }

    @Test
    void after_open_for_on_the_breakers_clock_the_breaker_half_opens_and_a_good_answer_closes_it() throws Exception {
        stub(html503());
        ResilientPoller p = poller(Duration.ofSeconds(10), Duration.ofSeconds(2), 1, smallBreaker());
        poll(p);
        poll(p);
        assertEquals(CircuitBreaker.State.OPEN, p.breaker().getState());

        clock.advance(Duration.ofSeconds(59));
        assertEquals(Outcome.CIRCUIT_OPEN, poll(p).outcome(), "still inside open_for");
        assertEquals(2, statusRequests());

        stub(ok("status-importing-slack.json"));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Outcome.SUCCESS, poll(p).outcome());
        assertEquals(3, statusRequests());
        assertEquals(CircuitBreaker.State.CLOSED, p.breaker().getState());
    }

    @Test
    void a_failure_while_half_open_opens_the_breaker_again() throws Exception {
        stub(html503());
        ResilientPoller p = poller(Duration.ofSeconds(10), Duration.ofSeconds(2), 1, smallBreaker());
        poll(p);
        poll(p);
        clock.advance(Duration.ofSeconds(61));

        assertEquals(Outcome.SERVER_ERROR, poll(p).outcome());
        assertEquals(CircuitBreaker.State.OPEN, p.breaker().getState());
        assertEquals(Outcome.CIRCUIT_OPEN, poll(p).outcome());
        assertEquals(3, statusRequests());
    }

    @Test
    void invalid_answers_count_as_breaker_failures() throws Exception {
        stub(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody(bytes("404.html")));
        ResilientPoller p = poller(Duration.ofSeconds(10), Duration.ofSeconds(2), 1, smallBreaker());

        poll(p);
        poll(p);

        assertEquals(CircuitBreaker.State.OPEN, p.breaker().getState());
    }

    static Stream<Arguments> answersOfAHealthyServer() {
        return Stream.of(
                Arguments.of(aResponse().withStatus(429).withHeader("X-RateLimit-Remaining", "0").withBody(bytes("429.json")), Outcome.RATE_LIMITED),
                Arguments.of(aResponse().withStatus(400).withBody(bytes("400-rate-limited-old.json")), Outcome.RATE_LIMITED),
                Arguments.of(aResponse().withStatus(401).withBody(bytes("401-6x.json")), Outcome.UNAUTHORIZED),
                Arguments.of(aResponse().withStatus(403).withBody(bytes("403.json")), Outcome.FORBIDDEN),
                Arguments.of(aResponse().withStatus(404).withBody(bytes("404.html")), Outcome.NOT_FOUND));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("answersOfAHealthyServer")
    void answers_of_a_working_server_never_open_the_breaker(ResponseDefinitionBuilder answer, Outcome expected) throws Exception {
        stub(answer);
        ResilientPoller p = poller(Duration.ofSeconds(10), Duration.ofSeconds(2), 3, smallBreaker());

        for (int i = 0; i < 10; i++) {
            assertEquals(expected, poll(p).outcome(), "poll " + i);
        }

        assertEquals(CircuitBreaker.State.CLOSED, p.breaker().getState());
        assertEquals(10, statusRequests(), "every poll reached the server, once");
    }
}
