package io.rcimport.exporter.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.rcimport.exporter.Agent;
import io.rcimport.exporter.MainRunner;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.demo.Fault;
import io.rcimport.exporter.demo.ImportSimulation;
import io.rcimport.exporter.demo.Scenario;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import io.rcimport.exporter.demo.TestRocketChat;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.RocketChatFixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distinctive secrets, used for real while the servers fail in the ways that produce error
 * messages (401, 500, an invalid body, a timeout, a failed login), never show up anywhere the
 * agent writes: not in a log line (everything on stderr and stdout), not in any endpoint's body
 * or headers (/metrics in all three formats, /status, /status/{target}, the compatible
 * import.status, /, /ready, /health, 404, 401 and 405 answers), not in {@code --check-config} or
 * {@code --once} output; neither plainly nor base64-encoded.
 */
class SecretLeakIT {
    static final String TOKEN = "tok-SECRET-7f3a9";
    static final String PASSWORD = "pw-SECRET-19be";
    /** The token Rocket.Chat hands out at login: as secret as the password. */
    static final String SESSION = "sess-SECRET-c0de42";
    static final String HOOK_TOKEN = "hook-SECRET-55aa";
    /** A Rocket.Chat incoming webhook carries its token in the path. */
    static final String HOOK_PATH = "hookpath-SECRET-9e0f";
    /** What Prometheus must present to scrape the agent. */
    static final String SCRAPE_TOKEN = "scrape-SECRET-3c1d";
    static final List<String> SECRETS = List.of(TOKEN, PASSWORD, SESSION, HOOK_TOKEN, HOOK_PATH, SCRAPE_TOKEN);
    static final Map<String, String> ENV = Map.of("RC_PASSWORD", PASSWORD, "SCRAPE_TOKEN", SCRAPE_TOKEN);
    static final String TOKEN_USER = "u-token-user";
    static final String PW_USER_ID = "u-login-user";

    private static final Map<String, String> ACCEPT = Map.of(
            "text", "text/plain;version=0.0.4",
            "openmetrics", "application/openmetrics-text;version=1.0.0",
            "protobuf", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Everything the agent wrote or answered, by where it came from. */
    private final Map<String, String> collected = new ConcurrentHashMap<>();

    @Test
    void no_secret_leaks_into_logs_endpoints_or_command_output(@TempDir Path dir) throws Exception {
        TestRocketChat tokenServer = TestRocketChat.start(SimulatedRocketChat.builder(
                new ImportSimulation(Clock.systemUTC(), new SplittableRandom(7), Scenario.steady()))
                .credentials(TOKEN_USER, TOKEN));
        WireMockServer loginServer = quietWireMock();
        WireMockServer hookServer = quietWireMock();
        Agent agent = null;
        try (LogCapture logs = LogCapture.start(true)) {
            loginServer.start();
            hookServer.start();
            loginPhase(loginServer, "good");
            hookServer.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(500).withBody("{\"error\":\"hook down\"}")));

            // Literal token and hook header in a world-readable file (a warning, without the values);
            // password and scrape token from the environment.
            Path configFile = dir.resolve("config.yaml");
            Files.writeString(configFile, """
                    server:
                      host: 127.0.0.1
                      port: 0
                      bearer_tokens: [ "${SCRAPE_TOKEN}" ]
                    poll:
                      interval: 1s
                      timeout: 800ms
                      stale_after: 2s
                    retry:
                      max_attempts: 2
                      initial_backoff: 50ms
                      max_backoff: 100ms
                    circuit_breaker:
                      open_for: 2s
                    targets:
                      - name: tok
                        url: %s
                        user_id: %s
                        auth_token: %s
                      - name: pw
                        url: %s
                        username: admin
                        password: ${RC_PASSWORD}
                    alerting:
                      resend_interval: 1s
                      webhooks:
                        - url: %s/hooks/abc/%s
                          format: rocketchat
                          headers:
                            Authorization: Bearer %s
                    """.formatted(tokenServer.url(), TOKEN_USER, TOKEN, loginServer.baseUrl(),
                    hookServer.baseUrl(), HOOK_PATH, HOOK_TOKEN));
            Files.setPosixFilePermissions(configFile, PosixFilePermissions.fromString("rw-r--r--"));

            runMain("check-config", configFile, "--check-config");
            Config config = ConfigLoader.load(configFile, ENV);
            agent = Agent.start(config, Clock.systemUTC());
            Agent a = agent;

            waitFor("both targets up", Duration.ofSeconds(20), () -> up(a, "tok") && up(a, "pw"));
            collectEndpoints(a, "good");

            // 401s and a failed login
            tokenServer.setFault(Fault.unauthorized7x());
            loginPhase(loginServer, "login fails");
            waitFor("tok unauthorized, pw login failed", Duration.ofSeconds(20),
                    () -> failedWith(a, "tok", Outcome.UNAUTHORIZED) && lastError(a, "pw").startsWith("login: HTTP 401"));
            collectEndpoints(a, "401");

            // 500s (pw logs in again first: login is spaced 6 s apart)
            tokenServer.setFault(Fault.internalServerError());
            loginPhase(loginServer, "status 500");
            waitFor("both server_error", Duration.ofSeconds(20),
                    () -> failedWith(a, "tok", Outcome.SERVER_ERROR) && failedWith(a, "pw", Outcome.SERVER_ERROR));
            hookServer.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)));
            collectEndpoints(a, "500");

            // invalid bodies: wait for the breaker to let a poll through again
            tokenServer.setFault(Fault.notJson());
            loginPhase(loginServer, "invalid body");
            waitFor("both invalid_response", Duration.ofSeconds(20),
                    () -> failedWith(a, "tok", Outcome.INVALID_RESPONSE) && failedWith(a, "pw", Outcome.INVALID_RESPONSE));
            collectEndpoints(a, "invalid");

            // timeouts
            tokenServer.setFault(Fault.hang());
            loginPhase(loginServer, "slow");
            waitFor("both timeout", Duration.ofSeconds(20),
                    () -> failedWith(a, "tok", Outcome.TIMEOUT) && failedWith(a, "pw", Outcome.TIMEOUT));
            collectEndpoints(a, "timeout");

            tokenServer.setFault(Fault.none());
            loginPhase(loginServer, "good");
            waitFor("both up again", Duration.ofSeconds(20), () -> up(a, "tok") && up(a, "pw"));
            collectEndpoints(a, "recovered");
            runMain("once", configFile, "--once");

            agent.stop(Duration.ofSeconds(2));
            agent = null;
            collected.put("log", logs.text());

            // The secrets were really used, and the failures really logged.
            assertTrue(tokenServer.requestCount(SimulatedRocketChat.IMPORT_STATUS) > 0);
            assertTrue(loginServer.countRequestsMatching(postRequestedFor(urlPathEqualTo(SimulatedRocketChat.LOGIN))
                    .withRequestBody(matchingJsonPath("$.password", equalTo(PASSWORD))).build()).getCount() > 0, "logged in with the password");
            assertTrue(hookServer.countRequestsMatching(postRequestedFor(urlPathEqualTo("/hooks/abc/" + HOOK_PATH))
                    .withHeader("Authorization", equalTo("Bearer " + HOOK_TOKEN)).build()).getCount() > 0, "webhook called with its header");
            String log = collected.get("log");
            for (String expected : List.of("target=tok event=poll_failed outcome=unauthorized", "target=pw event=poll_failed outcome=unauthorized msg=\"login: HTTP 401",
                    "outcome=server_error", "outcome=invalid_response", "outcome=timeout", "event=delivery_failed",
                    "event=plaintext_secrets_readable", "keys=targets[0].auth_token,alerting.webhooks[0].headers.Authorization")) {
                assertTrue(log.contains(expected), "the log has " + expected);
            }
        } finally {
            if (agent != null) {
                agent.stop(Duration.ofSeconds(2));
            }
            tokenServer.close();
            loginServer.stop();
            hookServer.stop();
        }

        assertTrue(collected.size() > 60, "collected " + collected.size() + " outputs");
        List<String> leaks = new ArrayList<>();
        for (String secret : SECRETS) {
            for (String form : forms(secret)) {
                collected.forEach((where, text) -> {
                    int at = text.indexOf(form);
                    if (at >= 0) {
                        leaks.add(where + ": " + (form.equals(secret) ? "" : "base64 of ") + mask(secret) + " near \""
                                + mask(text.substring(Math.max(0, at - 60), Math.min(text.length(), at + form.length() + 20)).replace(form, "<HERE>")) + "\"");
                    }
                });
            }
        }
        // The marker itself: catches a secret cut short or wrapped.
        collected.forEach((where, text) -> {
            if (text.contains("SECRET")) {
                leaks.add(where + ": has \"SECRET\" near \"" + mask(text.substring(Math.max(0, text.indexOf("SECRET") - 40),
                        Math.min(text.length(), text.indexOf("SECRET") + 40))) + "\"");
            }
        });
        assertEquals(List.of(), leaks, "secrets found in the agent's output");
    }

    @Test
    void the_check_finds_a_secret_base64_encoded_at_any_offset_inside_a_longer_value() {
        for (String before : List.of("", "a", "ab", "abc", "admin:", "Bearer ")) {
            String encoded = Base64.getEncoder().encodeToString((before + PASSWORD + "-and-more").getBytes(StandardCharsets.UTF_8));
            String urlSafe = Base64.getUrlEncoder().encodeToString((before + PASSWORD + "?>").getBytes(StandardCharsets.UTF_8));
            assertTrue(forms(PASSWORD).stream().anyMatch(encoded::contains), "found in base64 of \"" + before + "<secret>-and-more\"");
            assertTrue(forms(PASSWORD).stream().anyMatch(urlSafe::contains), "found in URL-safe base64 of \"" + before + "<secret>?>\"");
        }
        assertFalse(forms(PASSWORD).stream().anyMatch(Base64.getEncoder().encodeToString(
                "pw-SECRXT-19be and more".getBytes(StandardCharsets.UTF_8))::contains), "another value is not taken for it");
    }

    // ---- the servers ----------------------------------------------------------------------------

    /** WireMock that says nothing itself (its near-miss reports would print our requests, secrets and all). */
    private static WireMockServer quietWireMock() {
        return new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(12).jettyAcceptors(1).notifier(new Notifier() {
                    @Override
                    public void info(String message) {
                    }

                    @Override
                    public void error(String message) {
                    }

                    @Override
                    public void error(String message, Throwable t) {
                    }
                }));
    }

    /** The login target's server: login and import.status answers for one phase. */
    private static void loginPhase(WireMockServer wm, String phase) {
        wm.resetMappings();
        // Anything not matched below: a 401 as Rocket.Chat sends it (and no near-miss report).
        wm.stubFor(any(anyUrl()).atPriority(10).willReturn(json(401, RocketChatFixtures.text("401-7x.json"))));
        if (!phase.equals("login fails")) {
            wm.stubFor(post(urlPathEqualTo(SimulatedRocketChat.LOGIN)).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.user", equalTo("admin")))
                    .withRequestBody(matchingJsonPath("$.password", equalTo(PASSWORD)))
                    .willReturn(json(200, RocketChatFixtures.text("login-success.json")
                            .replace("9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq", SESSION)
                            .replace("rbAXPnMktTFbNpwtJ", PW_USER_ID))));
        }
        var status = get(urlPathEqualTo(SimulatedRocketChat.IMPORT_STATUS)).atPriority(1)
                .withHeader("X-User-Id", equalTo(PW_USER_ID)).withHeader("X-Auth-Token", equalTo(SESSION));
        switch (phase) {
            case "good" -> wm.stubFor(status.willReturn(json(200, RocketChatFixtures.text("status-importing-slack.json"))));
            case "status 500" -> wm.stubFor(status.willReturn(json(500, RocketChatFixtures.text("500.json"))));
            case "invalid body" -> wm.stubFor(status.willReturn(json(200, "{\"state\":\"importing\",\"operation\":{\"_id\":")));
            case "slow" -> wm.stubFor(status.willReturn(json(200, RocketChatFixtures.text("status-importing-slack.json"))
                    .withFixedDelay(3_000)));
            default -> { } // login fails: everything 401
        }
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    // ---- what the agent shows -------------------------------------------------------------------

    private void collectEndpoints(Agent agent, String phase) throws Exception {
        int port = agent.port();
        String auth = "Bearer " + SCRAPE_TOKEN;
        for (Map.Entry<String, String> format : ACCEPT.entrySet()) {
            fetch(phase, port, "/metrics", format.getValue(), auth, format.getKey());
        }
        for (String path : List.of("/status", "/status/tok", "/status/pw", "/status/nosuch", "/api/v1/import.status?target=tok",
                "/api/v1/import.status?target=pw", "/api/v1/import.status", "/", "/ready", "/health", "/nosuchpath")) {
            fetch(phase, port, path, "*/*", auth, "");
        }
        fetch(phase, port, "/status", "*/*", null, "no credentials");
        fetch(phase, port, "/metrics", "*/*", "Bearer not-the-token", "wrong credentials");
        HttpResponse<byte[]> deleted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                .header("Authorization", auth).DELETE().timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        record(phase + " DELETE /status", deleted);
    }

    private void fetch(String phase, int port, String path, String accept, String authorization, String note) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", accept)
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (authorization != null && authorization.contains(SCRAPE_TOKEN) && !path.contains("nosuch")
                && !path.equals("/api/v1/import.status")) {
            assertTrue(r.statusCode() == 200 || r.statusCode() == 503, phase + " " + path + ": " + r.statusCode());
        }
        record(phase + " GET " + path + (note.isEmpty() ? "" : " (" + note + ")"), r);
    }

    private void record(String where, HttpResponse<byte[]> r) {
        StringBuilder text = new StringBuilder();
        text.append(r.statusCode()).append('\n');
        r.headers().map().forEach((name, values) -> text.append(name).append(": ").append(String.join(", ", values)).append('\n'));
        // ISO-8859-1 keeps every byte (protobuf included) as one char, so ASCII secrets are found as they are.
        text.append(new String(r.body(), StandardCharsets.ISO_8859_1));
        collected.put(where, text.toString());
    }

    /** Main.run as the command line runs it, with its output collected. */
    private void runMain(String name, Path configFile, String flag) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MainRunner.run(new String[] {"--config", configFile.toString(), flag},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), ENV);
        assertEquals(0, code, name + ": " + mask(err.toString(StandardCharsets.UTF_8)));
        collected.put(name + " stdout", out.toString(StandardCharsets.UTF_8));
        collected.put(name + " stderr", err.toString(StandardCharsets.UTF_8));
        assertFalse(out.toString(StandardCharsets.UTF_8).isEmpty(), name + " printed something");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static TargetSnapshot snapshot(Agent agent, String target) {
        return agent.store().get(target).orElseThrow();
    }

    private static boolean up(Agent agent, String target) {
        return snapshot(agent, target).up();
    }

    private static boolean failedWith(Agent agent, String target, Outcome outcome) {
        return snapshot(agent, target).lastError().filter(e -> e.outcome() == outcome).isPresent()
                && snapshot(agent, target).lastOutcome().filter(o -> o != Outcome.SUCCESS).isPresent();
    }

    private static String lastError(Agent agent, String target) {
        return snapshot(agent, target).lastError().map(e -> e.message()).orElse("");
    }

    private static void waitFor(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The secret, and its base64 (standard and URL-safe) at each of the three alignments it can have inside a longer encoding. */
    static List<String> forms(String secret) {
        List<String> forms = new ArrayList<>();
        forms.add(secret);
        byte[] s = secret.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + s.length];
            System.arraycopy(s, 0, shifted, shift, s.length);
            String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
            // Drop the characters that also depend on the bytes before and after the secret.
            String core = encoded.substring(shift == 0 ? 0 : 4, encoded.length() - 4);
            forms.add(core);
            forms.add(core.replace('+', '-').replace('/', '_'));
        }
        return forms.stream().distinct().toList();
    }

    /** Never print a secret in a failure message either. */
    private static String mask(String text) {
        String out = text;
        for (String secret : SECRETS) {
            out = out.replace(secret, secret.substring(0, 3) + "…");
        }
        return out.replace("SECRET", "S…T");
    }
}
