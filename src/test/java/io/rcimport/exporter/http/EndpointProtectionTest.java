package io.rcimport.exporter.http;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.http.hot.MetricsEndpoint;
import io.rcimport.exporter.metrics.ImportMetrics;
import io.rcimport.exporter.rocketchat.HttpAnswer;
import io.rcimport.exporter.rocketchat.ResponseClassifier;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.TestClock;
import io.rcimport.exporter.tls.TlsMaterial;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code server.tls}, {@code server.basic_auth_users} and {@code server.bearer_tokens}: who gets
 * in, what the others see, and how the server answers requests it cannot serve.
 */
class EndpointProtectionTest {
    private static final String VERSION = "1.2.3-test";
    private static final Duration STALE_AFTER = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "prometheus";
    private static final String PASSWORD = "s3cret pass:word";
    private static final String TOKEN = "a-long-random-bearer-token";
    /** Cost 4: the cheapest bcrypt allows, so the test does not wait on hashing. */
    private static final String HASH = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
    private static final List<String> PROTECTED = List.of("/metrics", "/status", "/status/main", "/api/v1/import.status", "/", "/sd");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private PrometheusMeterRegistry registry;
    private ApiServer server;
    private String scheme = "http";

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private void start(Config.Server settings) {
        TestClock clock = TestClock.at("2021-10-26T20:53:00Z");
        StatusStore store = new StatusStore(List.of("main"), clock, Duration.ofMinutes(10));
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ImportMetrics(registry.getPrometheusRegistry(), store, clock, STALE_AFTER, VERSION);
        store.update("main", ResponseClassifier.classify(new HttpAnswer(200, "application/json",
                bytes("status-importing-slack.json"), false, OptionalLong.empty(), Optional.empty()), 1 << 20, clock.instant()));
        server = ApiServer.serving(store, new StatusJson(STALE_AFTER, name -> "closed"), clock, VERSION)
                .metrics(MetricsEndpoint.uncached(registry.getPrometheusRegistry())).settings(settings).start("127.0.0.1", 0);
        scheme = settings.tls().isPresent() ? "https" : "http";
    }

    private static Config.Server server(Optional<Config.ServerTls> tls, Config.WebAuth auth) {
        return new Config.Server("127.0.0.1", 0, tls, auth, false);
    }

    private static Config.WebAuth basicAuth() {
        return new Config.WebAuth(Map.of(USER, Secret.of(HASH)), List.of());
    }

    private static Config.WebAuth bearer() {
        return new Config.WebAuth(Map.of(), List.of(Secret.of(TOKEN)));
    }

    private static Config.WebAuth both() {
        return new Config.WebAuth(Map.of(USER, Secret.of(HASH)), List.of(Secret.of(TOKEN)));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(HttpClient client, String path, String... headers) throws IOException, InterruptedException {
        return Http.get(client, URI.create(scheme + "://127.0.0.1:" + server.port() + path), headers);
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return get(http, path, headers);
    }

    private static void assertJsonError(HttpResponse<String> r, int status) throws IOException {
        assertEquals(status, r.statusCode(), r.uri() + " " + r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse("(none)"), r.uri().toString());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.path("error").isTextual(), r.body());
        assertNoStackTrace(r.body());
    }

    private static void assertNoStackTrace(String body) {
        assertFalse(body.contains("Exception"), body);
        assertFalse(body.contains("\tat "), body);
        assertFalse(body.contains(".java:"), body);
    }

    private static void assert401(HttpResponse<String> r, String scheme) throws IOException {
        assertJsonError(r, 401);
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("(none)");
        assertTrue(challenge.startsWith(scheme + " realm="), challenge);
    }

    // --- basic auth ---

    @Test
    void without_credentials_every_protected_endpoint_is_401_json_with_a_basic_challenge() throws Exception {
        start(server(Optional.empty(), basicAuth()));
        for (String path : PROTECTED) {
            assert401(get(path), "Basic");
        }
    }

    @Test
    void a_wrong_password_an_unknown_user_or_garbage_is_401() throws Exception {
        start(server(Optional.empty(), basicAuth()));
        for (String authorization : List.of(basic(USER, "wrong"), basic("someone", PASSWORD), basic(USER, ""),
                basic(USER, PASSWORD + "x"), "Basic !!!not-base64!!!", "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
                "Basic", "Digest username=\"" + USER + "\"", "Bearer " + TOKEN, HASH)) {
            assert401(get("/metrics", "Authorization", authorization), "Basic");
        }
    }

    @Test
    void the_right_password_opens_every_endpoint() throws Exception {
        start(server(Optional.empty(), basicAuth()));
        for (String path : PROTECTED) {
            HttpResponse<String> r = get(path, "Authorization", basic(USER, PASSWORD));
            assertEquals(200, r.statusCode(), path + " " + r.body());
        }
        // Served from the success cache the second time; still right, and a wrong one still fails.
        assertEquals(200, get("/metrics", "Authorization", basic(USER, PASSWORD)).statusCode());
        assert401(get("/metrics", "Authorization", basic(USER, "wrong")), "Basic");
    }

    @Test
    void the_scheme_name_is_case_insensitive() throws Exception {
        start(server(Optional.empty(), basicAuth()));
        String token = basic(USER, PASSWORD).substring("Basic ".length());
        assertEquals(200, get("/metrics", "Authorization", "basic " + token).statusCode());
        assertEquals(200, get("/metrics", "Authorization", "BASIC " + token).statusCode());
    }

    @Test
    void health_and_ready_stay_open_without_credentials() throws Exception {
        start(server(Optional.empty(), both()));
        assertEquals(200, get("/health").statusCode());
        assertEquals(200, get("/ready").statusCode());
    }

    // --- bearer tokens ---

    @Test
    void without_a_token_every_protected_endpoint_is_401_with_a_bearer_challenge() throws Exception {
        start(server(Optional.empty(), bearer()));
        for (String path : PROTECTED) {
            assert401(get(path), "Bearer");
        }
        assert401(get("/metrics", "Authorization", "Bearer wrong"), "Bearer");
        assert401(get("/metrics", "Authorization", "Bearer " + TOKEN + "x"), "Bearer");
        assert401(get("/metrics", "Authorization", "Bearer " + TOKEN.substring(1)), "Bearer");
        assert401(get("/metrics", "Authorization", "Bearer "), "Bearer");
        assert401(get("/metrics", "Authorization", basic(USER, PASSWORD)), "Bearer");
    }

    @Test
    void the_right_token_opens_every_endpoint() throws Exception {
        start(server(Optional.empty(), bearer()));
        for (String path : PROTECTED) {
            assertEquals(200, get(path, "Authorization", "Bearer " + TOKEN).statusCode(), path);
        }
    }

    @Test
    void with_both_configured_either_kind_of_credentials_is_enough() throws Exception {
        start(server(Optional.empty(), both()));
        assertEquals(200, get("/status", "Authorization", "Bearer " + TOKEN).statusCode());
        assertEquals(200, get("/status", "Authorization", basic(USER, PASSWORD)).statusCode());
        assert401(get("/status"), "Basic");
    }

    @Test
    void unknown_paths_and_wrong_methods_answer_401_before_anything_else_is_revealed() throws Exception {
        start(server(Optional.empty(), bearer()));
        assert401(get("/no/such/path"), "Bearer");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(post.statusCode() == 401 || post.statusCode() == 405, post.statusCode() + " " + post.body());
        assertNoStackTrace(post.body());
    }

    // --- HTTPS ---

    private static Path tls(String name) {
        try {
            return Path.of(EndpointProtectionTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<Config.ServerTls> serverTls() {
        return Optional.of(new Config.ServerTls(tls("server-cert.pem"), tls("server-key.pem")));
    }

    /** A client that trusts the test certificate, built as the agent builds one for a {@code ca_file}. */
    private static HttpClient trustingClient() throws Exception {
        SSLContext ssl = TlsMaterial.clientContext(new Config.TargetTls(Optional.of(tls("server-cert.pem")), false));
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void with_server_tls_the_endpoints_are_served_over_https() throws Exception {
        start(server(serverTls(), Config.WebAuth.none()));
        HttpClient https = trustingClient();
        for (String path : List.of("/metrics", "/status", "/health", "/ready", "/")) {
            HttpResponse<String> r = get(https, path);
            assertEquals(200, r.statusCode(), path);
            assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        }
    }

    @Test
    void with_server_tls_plain_http_to_the_port_gets_no_answer() throws Exception {
        start(server(serverTls(), Config.WebAuth.none()));
        URI plain = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
        // Jetty answers a plain request on a TLS port with a TLS alert or by closing: never with metrics.
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertNotEquals(200, r.statusCode(), r.body());
            assertFalse(r.body().contains("rocketchat_import_up"), r.body());
        } catch (IOException expected) {
            // connection closed / not HTTP
        }
    }

    @Test
    void with_server_tls_a_client_that_does_not_trust_the_certificate_is_refused() throws Exception {
        start(server(serverTls(), Config.WebAuth.none()));
        assertThrows(IOException.class, () -> get(http, "/health"));
    }

    @Test
    void https_and_basic_auth_together() throws Exception {
        start(server(serverTls(), basicAuth()));
        HttpClient https = trustingClient();
        assert401(get(https, "/metrics"), "Basic");
        assertEquals(200, get(https, "/metrics", "Authorization", basic(USER, PASSWORD)).statusCode());
        assertEquals(200, get(https, "/health").statusCode());
    }

    @Test
    void an_rsa_key_in_pkcs1_form_serves_https_too() throws Exception {
        Path dir = Files.createTempDirectory("hardening-rsa-");
        try {
            Path cert = dir.resolve("rsa-cert.pem");
            Path key = tls("rsa-pkcs1-key.pem");
            Optional<Path> made = selfSignedRsaCertificate(key, cert);
            Assumptions.assumeTrue(made.isPresent(), "openssl is needed to sign a certificate for the RSA key");
            start(server(Optional.of(new Config.ServerTls(cert, key)), Config.WebAuth.none()));
            SSLContext ssl = TlsMaterial.clientContext(new Config.TargetTls(Optional.of(cert), false));
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals(200, get(https, "/health").statusCode());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Optional<Path> selfSignedRsaCertificate(Path key, Path cert) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("openssl", "req", "-x509", "-key", key.toString(), "-out", cert.toString(),
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? Optional.of(cert) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // --- requests the server cannot serve ---

    @Test
    void an_unknown_path_is_404_json_and_a_wrong_method_405_json() throws Exception {
        start(server(Optional.empty(), Config.WebAuth.none()));
        assertJsonError(get("/nope"), 404);
        assertJsonError(get("/metrics/extra"), 404);
        assertJsonError(get("/status/unknown-target"), 404);
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .method(method, HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertJsonError(r, 405);
        }
        HttpResponse<String> reload = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/-/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(reload.statusCode() == 404 || reload.statusCode() == 405, "reload is off: " + reload.statusCode());
        assertNoStackTrace(reload.body());
    }

    @Test
    void odd_paths_are_4xx_never_500() throws Exception {
        start(server(Optional.empty(), Config.WebAuth.none()));
        for (String path : List.of("/%", "/%zz", "/status/%", "/status/%00", "/..%2f..%2fetc%2fpasswd", "/status/a%2Fb",
                "/api/v1/import.status?target=%", "//metrics", "/status/" + "x".repeat(2000))) {
            RawAnswer r = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertTrue(r.status() >= 200 && r.status() < 500, path + " -> " + r.statusLine());
            assertNoStackTrace(r.body());
        }
    }

    @Test
    void an_oversize_header_is_431_not_500() throws Exception {
        start(server(Optional.empty(), Config.WebAuth.none()));
        RawAnswer r = raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertEquals(431, r.status(), r.statusLine());
        assertNoStackTrace(r.body());
    }

    @Test
    void an_oversize_url_is_414_not_500() throws Exception {
        start(server(Optional.empty(), Config.WebAuth.none()));
        RawAnswer r = raw("GET /status/" + "a".repeat(20 * 1024) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertEquals(414, r.status(), r.statusLine());
        assertNoStackTrace(r.body());
    }

    @Test
    void an_oversize_authorization_header_is_4xx_and_costs_no_bcrypt_check() throws Exception {
        start(server(Optional.empty(), basicAuth()));
        RawAnswer big = raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
                + Base64.getEncoder().encodeToString((USER + ":" + "p".repeat(30 * 1024)).getBytes(StandardCharsets.UTF_8))
                + "\r\nConnection: close\r\n\r\n");
        assertEquals(431, big.status(), big.statusLine());
        RawAnswer longPassword = raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                + basic(USER, "p".repeat(4000)) + "\r\nConnection: close\r\n\r\n");
        assertEquals(401, longPassword.status(), longPassword.statusLine());
    }

    @Test
    void a_password_longer_than_72_bytes_is_compared_on_its_first_72_as_go_bcrypt_does() throws Exception {
        String long72 = "p".repeat(71) + "q";
        String hash = BCrypt.withDefaults().hashToString(4, long72.toCharArray());
        start(server(Optional.empty(), new Config.WebAuth(Map.of(USER, Secret.of(hash)), List.of())));
        assertEquals(200, get("/metrics", "Authorization", basic(USER, long72)).statusCode());
        assertEquals(200, get("/metrics", "Authorization", basic(USER, long72 + "beyond bcrypt's reach")).statusCode());
        assert401(get("/metrics", "Authorization", basic(USER, "p".repeat(71) + "r" + "beyond")), "Basic");
        assert401(get("/metrics", "Authorization", basic(USER, "p".repeat(5000))), "Basic");
    }

    @Test
    void garbage_instead_of_http_gets_400_or_a_closed_connection() throws Exception {
        start(server(Optional.empty(), Config.WebAuth.none()));
        for (String request : List.of("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\r\n\r\n", "GARBAGE\r\n\r\n",
                "GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n", "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")) {
            RawAnswer r = raw(request);
            assertTrue(r.status() == 0 || (r.status() >= 400 && r.status() < 500) || r.status() == 505,
                    request.trim() + " -> " + r.statusLine());
            assertNoStackTrace(r.body());
        }
        assertEquals(200, get("/health").statusCode(), "still serving");
    }

    // --- a raw HTTP/1.1 exchange, for requests the JDK client refuses to send ---

    private record RawAnswer(String statusLine, String body) {
        int status() {
            String[] parts = statusLine.split(" ");
            return parts.length > 1 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : 0;
        }
    }

    private RawAnswer raw(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException serverClosedEarly) {
                // the server may answer and close before it has read everything
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    all.write(buf, 0, n);
                }
            } catch (IOException reset) {
                // a reset after the answer: keep what arrived
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int eol = text.indexOf("\r\n");
            String statusLine = eol < 0 ? text : text.substring(0, eol);
            int bodyStart = text.indexOf("\r\n\r\n");
            return new RawAnswer(statusLine.toUpperCase(Locale.ROOT).startsWith("HTTP/") ? statusLine : "(no HTTP answer) " + statusLine,
                    bodyStart < 0 ? "" : text.substring(bodyStart + 4));
        }
    }
}
