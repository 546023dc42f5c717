package io.rcimport.exporter.rocketchat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.testing.TestClock;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The HTTP client against a fake Rocket.Chat (WireMock) answering with the recorded bodies. */
class RocketChatClientTest {
    private static final String STATUS = "/api/v1/import.status";
    private static final String LOGIN = "/api/v1/login";
    private static final String USER_ID = "rbAXPnMktTFbNpwtJ";
    private static final String TOKEN = "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq";
    private static final String PASSWORD = "s3cret-Passw0rd";
    private static final Duration TIMEOUT = Duration.ofMillis(700);

    private static WireMockServer wm;
    private static ExecutorService executor;
    private static HttpClient http;
    private TestClock clock;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
        executor = Executors.newFixedThreadPool(2, new NamedThreads("test-http-client"));
        http = RocketChatClient.newHttpClient(Duration.ofSeconds(2), executor);
    }

    @AfterAll
    static void stop() {
        wm.stop();
        executor.shutdownNow();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        clock = TestClock.at("2026-05-02T10:00:00Z");
    }

    private RocketChatClient client(String baseUrl, Config.Auth auth, long bodyCap) {
        return new RocketChatClient(new Config.Target("main", URI.create(baseUrl), auth), http, TIMEOUT, bodyCap, clock, "9.9.9-test");
    }

    private RocketChatClient tokenClient() {
        return client(wm.baseUrl(), new Config.TokenAuth(USER_ID, Secret.of(TOKEN)), RocketChatClient.DEFAULT_BODY_CAP);
    }

    private RocketChatClient passwordClient() {
        return client(wm.baseUrl(), new Config.PasswordAuth("import-monitor", Secret.of(PASSWORD)), RocketChatClient.DEFAULT_BODY_CAP);
    }

    private static PollResult fetch(RocketChatClient client) throws Exception {
        return client.fetch().get(30, TimeUnit.SECONDS);
    }

    private static PollResult.Failure failure(RocketChatClient client) throws Exception {
        return assertInstanceOf(PollResult.Failure.class, fetch(client));
    }

    private static void stubStatus(int status, byte[] body) {
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    // --- token auth ---

    @Test
    void token_auth_sends_the_user_id_and_token_and_returns_the_raw_body_byte_for_byte() throws Exception {
        // Pretty-printed, with non-ASCII and a trailing newline: nothing may be re-encoded or trimmed.
        byte[] body = ("{\n  \"state\" : \"ready\",\n  \"operation\" : {\"_id\":\"64d51ea91558939980aab371\","
                + "\"type\":\"Slack\",\"importerKey\":\"slack\",\"status\":\"importer_user_selection\",\"valid\":true,"
                + "\"file\":\"export-équipe-日本.zip\",\"count\":{\"total\":3}},\n  \"success\" : true\n}\n")
                .getBytes(StandardCharsets.UTF_8);
        stubStatus(200, body);

        PollResult.Success s = assertInstanceOf(PollResult.Success.class, fetch(tokenClient()));

        assertArrayEquals(body, s.rawBody());
        assertEquals(ImportState.READY, s.status().state());
        wm.verify(1, getRequestedFor(urlEqualTo(STATUS))
                .withHeader("X-User-Id", equalTo(USER_ID))
                .withHeader("X-Auth-Token", equalTo(TOKEN))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("User-Agent", equalTo("rocketchat-import-exporter/9.9.9-test")));
        wm.verify(0, postRequestedFor(urlEqualTo(LOGIN)));
    }

    @Test
    void a_base_url_with_a_path_prefix_and_a_trailing_slash_is_joined_without_a_double_slash() throws Exception {
        wm.stubFor(get("/chat/api/v1/import.status").willReturn(aResponse().withStatus(200).withBody(bytes("status-none.json"))));
        RocketChatClient c = client(wm.baseUrl() + "/chat/", new Config.TokenAuth(USER_ID, Secret.of(TOKEN)), 1024);

        assertEquals(Outcome.SUCCESS, fetch(c).outcome());
        wm.verify(1, getRequestedFor(urlEqualTo("/chat/api/v1/import.status")));
    }

    @Test
    void a_redirect_is_not_followed_so_the_auth_headers_never_leave_for_another_url() throws Exception {
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(302).withHeader("Location", wm.baseUrl() + "/elsewhere")));
        wm.stubFor(get("/elsewhere").willReturn(aResponse().withStatus(200).withBody(bytes("status-none.json"))));

        PollResult.Failure f = failure(tokenClient());

        assertEquals(Outcome.CLIENT_ERROR, f.outcome());
        wm.verify(0, getRequestedFor(urlEqualTo("/elsewhere")));
    }

    @Test
    void a_401_with_token_auth_is_unauthorized_and_never_tries_to_log_in() throws Exception {
        stubStatus(401, bytes("401-7x.json"));

        PollResult.Failure f = failure(tokenClient());

        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertFalse(f.message().contains(TOKEN));
        wm.verify(0, postRequestedFor(urlEqualTo(LOGIN)));
    }

    // --- password auth ---

    private static void stubLogin(byte[] body, int status) {
        wm.stubFor(post(LOGIN).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    @Test
    void password_auth_logs_in_once_and_reuses_the_token_for_later_fetches() throws Exception {
        stubLogin(bytes("login-success.json"), 200);
        stubStatus(200, bytes("status-ready.json"));
        RocketChatClient c = passwordClient();

        for (int i = 0; i < 3; i++) {
            assertEquals(Outcome.SUCCESS, fetch(c).outcome(), "fetch " + i);
            clock.advance(Duration.ofSeconds(15));
        }

        wm.verify(1, postRequestedFor(urlEqualTo(LOGIN))
                .withRequestBody(equalToJson("{\"user\":\"import-monitor\",\"password\":\"" + PASSWORD + "\"}")));
        wm.verify(3, getRequestedFor(urlEqualTo(STATUS))
                .withHeader("X-User-Id", equalTo(USER_ID))
                .withHeader("X-Auth-Token", equalTo(TOKEN)));
    }

    @Test
    void password_auth_logs_in_again_once_when_the_token_is_rejected_then_succeeds() throws Exception {
        String newToken = "second-token-after-relogin";
        wm.stubFor(post(LOGIN).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(bytes("login-success.json")))
                .willSetStateTo("second login"));
        wm.stubFor(post(LOGIN).inScenario("tokens").whenScenarioStateIs("second login")
                .willReturn(aResponse().withStatus(200).withBody(
                        "{\"status\":\"success\",\"data\":{\"userId\":\"" + USER_ID + "\",\"authToken\":\"" + newToken + "\"}}")));
        wm.stubFor(get(STATUS).withHeader("X-Auth-Token", equalTo(TOKEN))
                .willReturn(aResponse().withStatus(200).withBody(bytes("status-ready.json"))));
        wm.stubFor(get(STATUS).withHeader("X-Auth-Token", equalTo(newToken))
                .willReturn(aResponse().withStatus(200).withBody(bytes("status-importing-slack.json"))));
        RocketChatClient c = passwordClient();
        assertEquals(Outcome.SUCCESS, fetch(c).outcome());

        // The server forgets the first token (logout elsewhere, token expiry).
        wm.stubFor(get(STATUS).atPriority(1).withHeader("X-Auth-Token", equalTo(TOKEN))
                .willReturn(aResponse().withStatus(401).withBody(bytes("401-7x.json"))));
        clock.advance(Duration.ofSeconds(15));
        PollResult.Success s = assertInstanceOf(PollResult.Success.class, fetch(c));

        assertEquals(ImportState.IMPORTING, s.status().state());
        wm.verify(2, postRequestedFor(urlEqualTo(LOGIN)));
        wm.verify(1, getRequestedFor(urlEqualTo(STATUS)).withHeader("X-Auth-Token", equalTo(newToken)));
        // Later fetches keep the new token without logging in again.
        clock.advance(Duration.ofSeconds(15));
        assertEquals(Outcome.SUCCESS, fetch(c).outcome());
        wm.verify(2, postRequestedFor(urlEqualTo(LOGIN)));
    }

    @Test
    void a_token_rejected_right_after_logging_in_does_not_make_the_client_log_in_on_every_poll() throws Exception {
        stubLogin(bytes("login-success.json"), 200);
        stubStatus(401, bytes("401-7x.json"));
        RocketChatClient c = passwordClient();

        assertEquals(Outcome.UNAUTHORIZED, fetch(c).outcome());
        PollResult.Failure second = failure(c); // same instant: within the 6 s login spacing
        assertEquals(Outcome.RATE_LIMITED, second.outcome());
        assertTrue(second.notBefore().isPresent());
        wm.verify(1, postRequestedFor(urlEqualTo(LOGIN)));

        clock.advance(Duration.ofSeconds(7));
        assertEquals(Outcome.UNAUTHORIZED, fetch(c).outcome());
        wm.verify(2, postRequestedFor(urlEqualTo(LOGIN)));
    }

    @Test
    void a_login_refused_by_a_failing_server_keeps_reporting_the_server_error_not_a_rate_limit() throws Exception {
        stubLogin(bytes("500.json"), 500);
        RocketChatClient c = passwordClient();

        assertEquals(Outcome.SERVER_ERROR, fetch(c).outcome());
        // Within the 6 s spacing no login is sent, and the poll still says what is wrong.
        PollResult.Failure again = failure(c);
        assertEquals(Outcome.SERVER_ERROR, again.outcome(), again.message());
        wm.verify(1, postRequestedFor(urlEqualTo(LOGIN)));
    }

    @Test
    void a_login_that_needs_two_factor_is_unauthorized_with_the_personal_access_token_hint_and_no_password() throws Exception {
        stubLogin(bytes("login-totp-required.json"), 401);

        PollResult.Failure f = failure(passwordClient());

        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertTrue(f.message().startsWith("login: HTTP 401: totp-required"), f.message());
        assertTrue(f.message().contains("personal access token"), f.message());
        assertFalse(f.message().contains(PASSWORD));
        wm.verify(0, getRequestedFor(urlEqualTo(STATUS)));
    }

    @Test
    void a_rate_limited_login_is_not_retried_before_the_reset() throws Exception {
        Instant reset = clock.instant().plusSeconds(30);
        wm.stubFor(post(LOGIN).willReturn(aResponse().withStatus(429)
                .withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", Long.toString(reset.toEpochMilli()))
                .withBody(bytes("429.json"))));
        RocketChatClient c = passwordClient();

        PollResult.Failure first = failure(c);
        assertEquals(Outcome.RATE_LIMITED, first.outcome());
        assertEquals(Optional.of(reset), first.notBefore());

        clock.advance(Duration.ofSeconds(10)); // past the 6 s spacing, before the server's reset
        assertEquals(Outcome.RATE_LIMITED, fetch(c).outcome());
        wm.verify(1, postRequestedFor(urlEqualTo(LOGIN)));

        clock.advance(Duration.ofSeconds(25)); // past the reset
        fetch(c);
        wm.verify(2, postRequestedFor(urlEqualTo(LOGIN)));
    }

    @Test
    void a_login_answer_without_a_token_is_an_invalid_response() throws Exception {
        stubLogin("{\"status\":\"success\",\"data\":{}}".getBytes(StandardCharsets.UTF_8), 200);

        PollResult.Failure f = failure(passwordClient());

        assertEquals(Outcome.INVALID_RESPONSE, f.outcome());
        wm.verify(0, getRequestedFor(urlEqualTo(STATUS)));
    }

    // --- size cap ---

    @Test
    void a_body_larger_than_the_cap_is_an_invalid_response_and_the_next_fetch_still_works() throws Exception {
        byte[] huge = new byte[3 * 1024 * 1024];
        Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        stubStatus(200, huge);
        RocketChatClient c = client(wm.baseUrl(), new Config.TokenAuth(USER_ID, Secret.of(TOKEN)), 64 * 1024);

        PollResult.Failure f = failure(c);

        assertEquals(Outcome.INVALID_RESPONSE, f.outcome());
        assertTrue(f.message().contains("larger than 65536 bytes"), f.message());

        // The half-read connection must not be handed to the next request.
        stubStatus(200, bytes("status-ready.json"));
        assertEquals(Outcome.SUCCESS, fetch(c).outcome());
    }

    @Test
    void a_body_of_exactly_the_cap_is_read_whole() throws Exception {
        int cap = 64 * 1024;
        byte[] body = new byte[cap];
        Arrays.fill(body, (byte) ' ');
        byte[] json = bytes("status-importing-slack.json");
        System.arraycopy(json, 0, body, 0, json.length);
        stubStatus(200, body);
        RocketChatClient c = client(wm.baseUrl(), new Config.TokenAuth(USER_ID, Secret.of(TOKEN)), cap);

        PollResult.Success s = assertInstanceOf(PollResult.Success.class, fetch(c));
        assertEquals(cap, s.rawBody().length);

        byte[] oneMore = Arrays.copyOf(body, cap + 1);
        oneMore[cap] = ' ';
        stubStatus(200, oneMore);
        assertEquals(Outcome.INVALID_RESPONSE, fetch(c).outcome());
    }

    // --- time ---

    @Test
    void an_answer_slower_than_the_timeout_is_a_timeout() throws Exception {
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(200).withBody(bytes("status-none.json")).withFixedDelay(3000)));

        PollResult.Failure f = failure(tokenClient());

        assertEquals(Outcome.TIMEOUT, f.outcome());
        assertTrue(f.message().contains("700 ms"), f.message());
    }

    @Test
    void a_body_that_trickles_in_past_the_timeout_is_a_timeout_too() throws Exception {
        byte[] body = new byte[4096];
        Arrays.fill(body, (byte) ' ');
        byte[] json = bytes("status-none.json");
        System.arraycopy(json, 0, body, 0, json.length);
        // Headers come at once; the body arrives in 10 chunks over 4 s.
        wm.stubFor(get(STATUS).willReturn(aResponse().withStatus(200).withBody(body).withChunkedDribbleDelay(10, 4000)));

        RocketChatClient c = tokenClient();
        assertEquals(Outcome.TIMEOUT, failure(c).outcome());

        stubStatus(200, bytes("status-ready.json"));
        assertEquals(Outcome.SUCCESS, fetch(c).outcome());
    }

    // --- network ---

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE", "MALFORMED_RESPONSE_CHUNK"})
    void a_broken_connection_is_a_connection_error(Fault fault) throws Exception {
        wm.stubFor(get(STATUS).willReturn(aResponse().withFault(fault)));

        PollResult.Failure f = failure(tokenClient());

        assertEquals(Outcome.CONNECTION_ERROR, f.outcome(), f.message());
        assertFalse(f.message().contains(TOKEN));
    }

    @Test
    void a_closed_port_is_a_connection_error() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RocketChatClient c = client("http://127.0.0.1:" + port, new Config.TokenAuth(USER_ID, Secret.of(TOKEN)), 1024);

        PollResult.Failure f = failure(c);

        assertEquals(Outcome.CONNECTION_ERROR, f.outcome(), f.message());
        assertEquals("connection refused by 127.0.0.1:" + port, f.message());
    }

    @Test
    void an_unknown_host_is_a_connection_error() throws Exception {
        RocketChatClient c = client("http://nonexistent.invalid", new Config.TokenAuth(USER_ID, Secret.of(TOKEN)), 1024);

        PollResult.Failure f = failure(c);

        assertEquals(Outcome.CONNECTION_ERROR, f.outcome(), f.message());
        assertEquals("unknown host nonexistent.invalid", f.message(), "a DNS failure must not read as a refused connection");
    }
}
