package io.rcimport.exporter.poll;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.testing.RocketChatFixtures.text;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import io.rcimport.exporter.rocketchat.ServerVersion;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The side calls of a poll against a fake Rocket.Chat, on a test clock: the version at the first
 * poll, hourly and after a 404; the history once per {@code history_interval}, off after a 403;
 * neither ever changes the poll's outcome.
 */
class ServerFactsPollTest {
    private static final String STATUS = "/api/v1/import.status";
    private static final String INFO = "/api/info";
    private static final String HISTORY = "/api/v1/getLatestImportOperations";
    private static final Duration INTERVAL = Duration.ofSeconds(15);
    private static final Duration HISTORY_INTERVAL = Duration.ofMinutes(5);

    private WireMockServer wm;
    private ScheduledExecutorService timer;
    private final TestClock clock = TestClock.at("2026-12-01T10:00:00Z");
    private ServerFactsPoll poll;

    @BeforeEach
    void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        timer = Executors.newSingleThreadScheduledExecutor(new NamedThreads("test-timer"));
        Config.Target target = PollTestSupport.target("main", wm.baseUrl());
        Config config = PollTestSupport.config(List.of(target), INTERVAL, Duration.ofSeconds(2), 1, PollTestSupport.smallBreaker());
        RocketChatClient client = new RocketChatClient(target,
                RocketChatClient.newPlainHttpClient(Duration.ofSeconds(2), Executors.newFixedThreadPool(1, new NamedThreads("test-http"))),
                Duration.ofSeconds(2), RocketChatClient.DEFAULT_BODY_CAP, clock, "test");
        poll = new ServerFactsPoll(new ResilientPoller(client, config, CircuitBreakerRegistry.ofDefaults(), timer, clock),
                client, clock, HISTORY_INTERVAL);
        stub(STATUS, 200, "status-overcounted.json");
        stub(INFO, 200, "info-7.11.json");
        stub(HISTORY, 200, "history.json");
    }

    @AfterEach
    void stop() {
        wm.stop();
        timer.shutdownNow();
    }

    private void stub(String path, int status, String fixture) {
        wm.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", fixture.endsWith(".html") ? "text/html" : "application/json").withBody(text(fixture))));
    }

    private PollReport report() throws Exception {
        return poll.report().get(10, TimeUnit.SECONDS);
    }

    private int calls(String path) {
        return wm.countRequestsMatching(getRequestedFor(urlEqualTo(path)).build()).getCount();
    }

    /** Polls every 15 s of the test clock for {@code duration}. */
    private void pollFor(Duration duration) throws Exception {
        for (Duration t = Duration.ZERO; t.compareTo(duration) < 0; t = t.plus(INTERVAL)) {
            report();
            clock.advance(INTERVAL);
        }
    }

    @Test
    void the_first_poll_fetches_version_status_and_history() throws Exception {
        PollReport r = report();
        assertAll(
                () -> assertEquals(Outcome.SUCCESS, r.result().outcome()),
                () -> assertEquals(Optional.of("7.11"), r.version().map(ServerVersion::text)),
                () -> assertEquals(3, r.recentOperations().orElseThrow().size()),
                () -> assertEquals(1, calls(INFO)),
                () -> assertEquals(1, calls(HISTORY)));
    }

    @Test
    void history_is_fetched_once_per_history_interval_and_the_version_once_an_hour() throws Exception {
        pollFor(Duration.ofHours(1)); // 240 polls
        assertAll(
                () -> assertEquals(240, calls(STATUS)),
                () -> assertEquals(12, calls(HISTORY), "every 5 minutes, never on every poll"),
                () -> assertEquals(1, calls(INFO)));
        report();
        assertEquals(2, calls(INFO), "an hour after the first");
    }

    @Test
    void a_refused_history_is_turned_off_with_one_log_line_and_an_empty_list_and_polling_goes_on() throws Exception {
        stub(HISTORY, 403, "403.json");
        try (LogCapture log = LogCapture.start(false)) {
            PollReport first = report();
            assertEquals(Outcome.SUCCESS, first.result().outcome(), "a refused history never affects the poll");
            assertEquals(Optional.of(List.of()), first.recentOperations());
            pollFor(Duration.ofMinutes(30));
            assertEquals(1, calls(HISTORY), "never asked again");
            assertEquals(1, log.lines().stream().filter(l -> l.contains("event=history_off")).count(), log.lines().toString());
            assertTrue(log.lines().stream().noneMatch(l -> l.contains(PollTestSupport.TOKEN)), "no secret in the log");
        }
    }

    @Test
    void a_rate_limited_history_waits_for_its_own_reset_and_keeps_what_it_had() throws Exception {
        report();
        clock.advance(HISTORY_INTERVAL);
        stub(HISTORY, 429, "429.json"); // "You must wait 42 seconds"
        PollReport limited = report();
        assertEquals(Optional.empty(), limited.recentOperations(), "nothing new: the snapshot keeps the last list");
        assertEquals(Outcome.SUCCESS, limited.result().outcome());
        assertEquals(2, calls(HISTORY));
        clock.advance(Duration.ofMinutes(4));
        report();
        assertEquals(2, calls(HISTORY), "the next attempt one history_interval later, not at the next poll");
    }

    @Test
    void a_404_fetches_the_version_again_at_the_next_poll_so_an_old_server_is_named() throws Exception {
        report();
        stub(STATUS, 404, "404.html");
        stub(INFO, 200, "info-6.2.json");
        clock.advance(INTERVAL);
        PollReport notFound = report();
        assertEquals(Outcome.NOT_FOUND, notFound.result().outcome());
        assertEquals(1, calls(INFO), "the version was fresh at this poll");
        clock.advance(INTERVAL);
        PollReport next = report();
        assertEquals(Optional.of("6.2.10"), next.version().map(ServerVersion::text));
        assertEquals(2, calls(INFO));
        clock.advance(INTERVAL);
        report();
        assertEquals(2, calls(INFO), "once after the 404, not on every poll");
    }

    @Test
    void an_unknown_version_is_asked_again_a_minute_later_not_on_every_poll() throws Exception {
        stub(INFO, 500, "500.json");
        pollFor(Duration.ofMinutes(3)); // 12 polls
        assertEquals(3, calls(INFO));
    }
}
