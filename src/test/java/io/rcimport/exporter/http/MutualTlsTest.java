package io.rcimport.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.http.hot.MetricsEndpoint;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.TestClock;
import io.rcimport.exporter.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.tls.client_ca_file}, {@code client_auth_type}, {@code client_allowed_sans}, and
 * the certificate, key and CA re-read when they change. Every certificate is made at test time
 * with the JDK's keytool ({@link TestPki}).
 */
class MutualTlsTest {
    private static final Duration POLL = Duration.ofMillis(200);

    @TempDir
    static Path pkiDir;
    private static TestPki serverCa;
    private static TestPki clientCa;
    private static TestPki otherCa;
    private static TestPki.Leaf serverLeaf;
    private static TestPki.Leaf prometheus;
    private static TestPki.Leaf stranger;

    @TempDir
    Path dir;
    private PrometheusMeterRegistry registry;
    private ApiServer server;

    @BeforeAll
    static void makeCertificates() throws Exception {
        serverCa = TestPki.ca(pkiDir, "server");
        clientCa = TestPki.ca(pkiDir, "client");
        otherCa = TestPki.ca(pkiDir, "other");
        serverLeaf = serverCa.leaf("localhost", "dns:localhost,ip:127.0.0.1");
        prometheus = clientCa.leaf("prometheus", "dns:prometheus.monitoring.svc,uri:spiffe://cluster/sa/prometheus");
        stranger = otherCa.leaf("prometheus", "dns:prometheus.monitoring.svc");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private void start(Config.ServerTls tls) {
        TestClock clock = TestClock.at("2021-10-26T20:53:00Z");
        StatusStore store = new StatusStore(List.of("main"), clock, Duration.ofMinutes(10));
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = ApiServer.serving(store, new StatusJson(Duration.ofMinutes(1), name -> "closed"), clock, "test")
                .metrics(MetricsEndpoint.uncached(registry.getPrometheusRegistry()))
                .settings(new Config.Server("127.0.0.1", 0, Optional.of(tls), Config.WebAuth.none(), false))
                .tlsReloadInterval(POLL)
                .start("127.0.0.1", 0);
    }

    /** Copies of the server's files in this test's directory, so that a test can replace them. */
    private Config.ServerTls serverFiles(Optional<Path> clientCa, List<String> sans) throws IOException {
        Path cert = Files.copy(serverLeaf.cert, dir.resolve("cert.pem"));
        Path key = Files.copy(serverLeaf.key, dir.resolve("key.pem"));
        if (clientCa.isEmpty()) {
            return new Config.ServerTls(cert, key);
        }
        return Config.ServerTls.mutual(cert, key, Files.copy(clientCa.get(), dir.resolve("client-ca.pem")), sans);
    }

    private Connection connect(SSLContext ssl) throws IOException {
        return new Connection(ssl, server.port());
    }

    private int status(SSLContext ssl, String path) throws IOException {
        try (Connection c = connect(ssl)) {
            return c.get(path);
        }
    }

    // ---- client certificates -------------------------------------------------------------------

    @Test
    void require_and_verify_accepts_a_client_certificate_signed_by_the_client_ca_on_every_path() throws Exception {
        start(serverFiles(Optional.of(clientCa.caCert), List.of()));
        SSLContext ssl = prometheus.clientContext(serverCa.caCert);
        for (String path : List.of("/metrics", "/health", "/ready", "/status")) {
            int status = status(ssl, path);
            assertTrue(status == 200 || status == 503, path + " " + status); // /ready: 503 until polled
        }
        assertEquals(200, status(ssl, "/health"));
    }

    @Test
    void require_and_verify_refuses_a_client_without_a_certificate_even_for_the_probes() throws Exception {
        start(serverFiles(Optional.of(clientCa.caCert), List.of()));
        SSLContext anonymous = TestPki.anonymousClient(serverCa.caCert);
        for (String path : List.of("/metrics", "/health")) {
            assertThrows(IOException.class, () -> status(anonymous, path), path);
        }
    }

    @Test
    void require_and_verify_refuses_a_certificate_from_another_ca() throws Exception {
        start(serverFiles(Optional.of(clientCa.caCert), List.of()));
        assertThrows(IOException.class, () -> status(stranger.clientContext(serverCa.caCert), "/metrics"));
        // the same name from the right CA is let in
        assertEquals(200, status(prometheus.clientContext(serverCa.caCert), "/metrics"));
    }

    @Test
    void allowed_sans_let_in_a_certificate_with_one_of_them_exactly() throws Exception {
        start(serverFiles(Optional.of(clientCa.caCert), List.of("someone-else", "spiffe://cluster/sa/prometheus")));
        assertEquals(200, status(prometheus.clientContext(serverCa.caCert), "/metrics"));
    }

    @Test
    void allowed_sans_refuse_the_handshake_of_a_certificate_with_none_of_them() throws Exception {
        try (LogCapture logs = LogCapture.start(false)) {
            start(serverFiles(Optional.of(clientCa.caCert), List.of("prometheus.monitoring", "spiffe://cluster/sa/grafana")));
            assertThrows(IOException.class, () -> status(prometheus.clientContext(serverCa.caCert), "/metrics"));
            assertTrue(logs.text().contains("event=client_refused"), logs.text());
        }
    }

    @Test
    void no_client_cert_is_the_default_and_asks_for_none() throws Exception {
        start(serverFiles(Optional.empty(), List.of()));
        assertEquals(200, status(TestPki.anonymousClient(serverCa.caCert), "/metrics"));
    }

    // ---- reload ------------------------------------------------------------------------------

    @Test
    void a_renewed_certificate_is_served_to_new_connections_within_seconds_and_open_ones_stay() throws Exception {
        Config.ServerTls tls = serverFiles(Optional.empty(), List.of());
        start(tls);
        SSLContext ssl = TestPki.anonymousClient(serverCa.caCert);
        BigInteger before = serverLeaf.serial();
        try (Connection kept = connect(ssl)) {
            assertEquals(200, kept.get("/health"));
            assertEquals(before, kept.serial());

            Path renewed = serverLeaf.renew(dir.resolve("renewed.pem"));
            BigInteger after = TestPki.certificate(renewed).getSerialNumber();
            assertNotEquals(before, after);
            Files.move(renewed, tls.certFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            assertEquals(after, serialOfNewConnections(ssl, after, Duration.ofSeconds(10)));
            // the connection opened before the renewal is still open, and still on the old certificate
            assertEquals(200, kept.get("/health"));
            assertEquals(200, kept.get("/metrics"));
            assertEquals(before, kept.serial());
        }
    }

    @Test
    void a_renewed_client_ca_is_used_for_new_connections() throws Exception {
        Config.ServerTls tls = serverFiles(Optional.of(clientCa.caCert), List.of());
        start(tls);
        assertThrows(IOException.class, () -> status(stranger.clientContext(serverCa.caCert), "/metrics"));
        Files.copy(otherCa.caCert, tls.clientCaFile().orElseThrow(), StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                assertEquals(200, status(stranger.clientContext(serverCa.caCert), "/metrics"));
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        assertThrows(IOException.class, () -> status(prometheus.clientContext(serverCa.caCert), "/metrics"));
    }

    @Test
    void a_bad_new_file_is_logged_once_and_the_old_certificate_kept() throws Exception {
        Config.ServerTls tls = serverFiles(Optional.empty(), List.of());
        SSLContext ssl = TestPki.anonymousClient(serverCa.caCert);
        BigInteger before = serverLeaf.serial();
        try (LogCapture logs = LogCapture.start(false)) {
            start(tls);
            int mark = logs.mark();
            Files.writeString(tls.certFile(), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
            Thread.sleep(POLL.toMillis() * 8);
            assertEquals(before, serialOf(ssl));
            List<String> warnings = warnings(logs, mark);
            assertEquals(1, warnings.size(), String.join("\n", logs.linesSince(mark)));
            assertTrue(warnings.get(0).contains(tls.certFile().toString()), warnings.get(0));

            // a valid certificate that is not the key's: refused too, logged once, never a key byte
            mark = logs.mark();
            Files.copy(prometheus.cert, tls.certFile(), StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(POLL.toMillis() * 8);
            assertEquals(before, serialOf(ssl));
            warnings = warnings(logs, mark);
            assertEquals(1, warnings.size(), String.join("\n", logs.linesSince(mark)));
            assertTrue(warnings.get(0).contains("does not belong to the certificate"), warnings.get(0));
            String key = Files.readString(tls.keyFile());
            String keyBody = key.substring(key.indexOf('\n') + 1, key.indexOf('\n') + 30);
            assertFalse(logs.text().contains(keyBody), "key material in the log");

            // the good renewal then is picked up
            Path renewed = serverLeaf.renew(dir.resolve("renewed.pem"));
            BigInteger after = TestPki.certificate(renewed).getSerialNumber();
            Files.move(renewed, tls.certFile(), StandardCopyOption.REPLACE_EXISTING);
            assertEquals(after, serialOfNewConnections(ssl, after, Duration.ofSeconds(10)));
        }
    }

    private static List<String> warnings(LogCapture logs, int mark) {
        return logs.linesSince(mark).stream().filter(l -> l.contains("event=tls_reload_refused")).toList();
    }

    private BigInteger serialOf(SSLContext ssl) throws IOException {
        try (Connection c = connect(ssl)) {
            assertEquals(200, c.get("/health"));
            return c.serial();
        }
    }

    private BigInteger serialOfNewConnections(SSLContext ssl, BigInteger wanted, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        BigInteger seen = serialOf(ssl);
        while (!seen.equals(wanted) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            seen = serialOf(ssl);
        }
        return seen;
    }

    /** One TLS connection, kept alive over several HTTP/1.1 requests. */
    private static final class Connection implements AutoCloseable {
        private final SSLSocket socket;
        private final InputStream in;

        Connection(SSLContext ssl, int port) throws IOException {
            socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            in = socket.getInputStream();
        }

        int get(String path) throws IOException {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = line();
            if (status == null) {
                throw new IOException("connection closed without an answer");
            }
            int length = 0;
            boolean chunked = false;
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                String h = header.toLowerCase(java.util.Locale.ROOT);
                if (h.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring("content-length:".length()).trim());
                } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                    chunked = true;
                }
            }
            if (!chunked) {
                in.readNBytes(length);
            } else {
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                    in.readNBytes(size);
                    line();
                }
                line();
            }
            return Integer.parseInt(status.split(" ")[1]);
        }

        BigInteger serial() throws IOException {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }

        private String line() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r') {
                    out.write(b);
                }
            }
            return b == -1 && out.size() == 0 ? null : out.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
