package io.rcimport.exporter.rocketchat;

import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.rcimport.exporter.Agent;
import io.rcimport.exporter.NamedThreads;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.testing.TestConfigs;
import io.rcimport.exporter.tls.TlsMaterial;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Polling a Rocket.Chat behind HTTPS with a self-signed certificate (the JDK's HttpsServer with
 * the test certificate for localhost / 127.0.0.1): the JVM's trust refuses it, {@code ca_file}
 * trusts it, {@code insecure_skip_verify} ignores it (and says so at start).
 */
class TargetTlsTest {
    private static final String USER_ID = "rbAXPnMktTFbNpwtJ";
    private static final String TOKEN = "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private static ExecutorService serverThreads;
    private static ExecutorService clientThreads;
    private static HttpsServer https;
    private static final AtomicInteger served = new AtomicInteger();
    private Agent agent;

    @BeforeAll
    static void startHttpsFake() throws Exception {
        serverThreads = Executors.newFixedThreadPool(2, new NamedThreads("tls-fake"));
        clientThreads = Executors.newFixedThreadPool(2, new NamedThreads("tls-client"));
        https = httpsFake("127.0.0.1");
    }

    private static HttpsServer httpsFake(String host) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(TlsMaterial.serverKeyStore(tls("server-cert.pem"), tls("server-key.pem")), TlsMaterial.IN_MEMORY_PASSWORD);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(host, 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        byte[] body = bytes("status-importing-slack.json");
        server.createContext("/api/v1/import.status", exchange -> {
            served.incrementAndGet();
            boolean authorised = USER_ID.equals(exchange.getRequestHeaders().getFirst("X-User-Id"))
                    && TOKEN.equals(exchange.getRequestHeaders().getFirst("X-Auth-Token"));
            byte[] answer = authorised ? body : "{\"status\":\"error\",\"message\":\"You must be logged in to do this.\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(authorised ? 200 : 401, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.setExecutor(serverThreads);
        server.start();
        return server;
    }

    @AfterAll
    static void stopHttpsFake() throws InterruptedException {
        https.stop(0);
        serverThreads.shutdownNow();
        clientThreads.shutdownNow();
        serverThreads.awaitTermination(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private static Path tls(String name) {
        try {
            return Path.of(TargetTlsTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static URI url(HttpsServer server, String host) {
        return URI.create("https://" + host + ":" + server.getAddress().getPort());
    }

    private static Config.Target target(String name, URI url, Config.TargetTls tls) {
        return new Config.Target(name, url, new Config.TokenAuth(USER_ID, Secret.of(TOKEN)), tls);
    }

    private static PollResult fetch(URI url, Config.TargetTls tls) throws Exception {
        RocketChatClient client = new RocketChatClient(target("main", url, tls),
                RocketChatClient.newHttpClient(TIMEOUT, clientThreads, TlsMaterial.clientContext(tls)),
                TIMEOUT, RocketChatClient.DEFAULT_BODY_CAP, Clock.systemUTC(), "test");
        return client.fetch().get(20, TimeUnit.SECONDS);
    }

    private static void assertTlsFailure(PollResult r, URI url) {
        PollResult.Failure f = assertInstanceOf(PollResult.Failure.class, r, String.valueOf(r));
        assertEquals(Outcome.CONNECTION_ERROR, f.outcome(), f.message());
        assertTrue(f.message().startsWith("TLS failure with " + url.getHost() + ":" + url.getPort() + ": "), f.message());
        assertTrue(f.message().length() < 300, f.message());
        assertFalse(f.message().contains(TOKEN), f.message());
    }

    private static Config.TargetTls caFile(String name) {
        return new Config.TargetTls(Optional.of(tls(name)), false);
    }

    private static final Config.TargetTls INSECURE = new Config.TargetTls(Optional.empty(), true);

    // --- the client alone ---

    @Test
    void the_jvms_trust_refuses_a_self_signed_certificate_as_a_tls_connection_error() throws Exception {
        URI url = url(https, "127.0.0.1");
        assertTlsFailure(fetch(url, Config.TargetTls.verify()), url);
    }

    @Test
    void a_ca_file_holding_the_certificate_makes_the_poll_succeed() throws Exception {
        PollResult r = fetch(url(https, "127.0.0.1"), caFile("server-cert.pem"));
        PollResult.Success s = assertInstanceOf(PollResult.Success.class, r, String.valueOf(r));
        assertEquals(ImportState.IMPORTING, s.status().state());
        // The certificate names localhost too.
        assertInstanceOf(PollResult.Success.class, fetch(url(https, "localhost"), caFile("server-cert.pem")));
    }

    @Test
    void a_ca_file_of_another_ca_refuses_the_certificate() throws Exception {
        URI url = url(https, "127.0.0.1");
        assertTlsFailure(fetch(url, caFile("ca-cert.pem")), url);
    }

    @Test
    void a_trusted_certificate_for_another_host_name_is_refused() throws Exception {
        // Bound to 127.0.0.2 (loopback, but not a name in the certificate).
        HttpsServer other = httpsFake("127.0.0.2");
        try {
            URI url = url(other, "127.0.0.2");
            assertTlsFailure(fetch(url, caFile("server-cert.pem")), url);
            assertInstanceOf(PollResult.Success.class, fetch(url, INSECURE), "insecure_skip_verify skips the name check too");
        } finally {
            other.stop(0);
        }
    }

    @Test
    void insecure_skip_verify_accepts_the_self_signed_certificate() throws Exception {
        PollResult r = fetch(url(https, "127.0.0.1"), INSECURE);
        assertInstanceOf(PollResult.Success.class, r, String.valueOf(r));
    }

    // --- the whole agent ---

    private static Config config(List<Config.Target> targets) {
        return TestConfigs.of(targets).listenOn("127.0.0.1", 0).pollEvery(Duration.ofMillis(300), TIMEOUT)
                .retry(new Config.Retry(1, Duration.ofMillis(100), Duration.ofMillis(200))).build();
    }

    private TargetSnapshot snapshot(String name) {
        return agent.store().get(name).orElseThrow();
    }

    @Test
    void an_agent_polls_each_target_with_its_own_tls_settings_and_warns_about_insecure_ones() throws Exception {
        URI url = url(https, "127.0.0.1");
        Config config = config(List.of(
                target("default-trust", url, Config.TargetTls.verify()),
                target("own-ca", url, caFile("server-cert.pem")),
                target("insecure", url, INSECURE)));
        String log = capturingStderr(() -> {
            agent = Agent.start(config, Clock.systemUTC());
            await("every target polled", Duration.ofSeconds(20), () -> agent.store().allPolled());
        });

        assertTrue(snapshot("own-ca").up(), String.valueOf(snapshot("own-ca")));
        assertTrue(snapshot("insecure").up(), String.valueOf(snapshot("insecure")));
        TargetSnapshot refused = snapshot("default-trust");
        assertFalse(refused.up());
        assertTrue(String.valueOf(refused).contains("TLS failure"), String.valueOf(refused));

        List<String> warnings = log.lines().filter(l -> l.contains("event=insecure_tls")).toList();
        assertEquals(1, warnings.size(), log);
        assertTrue(warnings.get(0).contains(" WARN "), warnings.get(0));
        assertTrue(warnings.get(0).contains("target=insecure"), warnings.get(0));
        assertFalse(log.contains(TOKEN), "no token in the log");
    }

    /** What slf4j-simple writes to System.err (it looks System.err up on every write) while {@code action} runs. */
    private static String capturingStderr(ThrowingRunnable action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(new TeeOutputStream(original, captured), true, StandardCharsets.UTF_8);
        System.setErr(both);
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeOutputStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
