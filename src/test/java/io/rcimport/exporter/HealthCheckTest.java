package io.rcimport.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
    /** Only the timeout test waits this long; the others get the real 2 s, ample on a busy CI machine. */
    private static final Duration SHORT = Duration.ofMillis(500);

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private ExecutorService executor;

    @BeforeEach
    void start_server() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "health-check-test-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        respond("/health", 200);
        respond("/ready", 503);
        respond("/broken", 500);
        respond("/moved", 302);
        server.createContext("/hang", exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop_server() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void respond(String path, int status) {
        server.createContext(path, exchange -> {
            byte[] body = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            if (status == 302) {
                exchange.getResponseHeaders().add("Location", "/health");
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private int run(String... args) {
        return run(HealthCheck.TIMEOUT, args);
    }

    private int run(Duration timeout, String... args) {
        return HealthCheck.run(args, new PrintStream(err, true, StandardCharsets.UTF_8), timeout);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void http_200_is_healthy_and_prints_nothing() {
        assertEquals(0, run(url("/health")));
        assertEquals("", stderr());
    }

    @Test
    void http_503_is_unhealthy_and_says_the_status() {
        assertEquals(1, run(url("/ready")));
        assertTrue(stderr().contains("answered HTTP 503"), stderr());
    }

    @Test
    void http_500_is_unhealthy() {
        assertEquals(1, run(url("/broken")));
    }

    @Test
    void a_redirect_is_not_followed_and_is_unhealthy() {
        assertEquals(1, run(url("/moved")));
        assertTrue(stderr().contains("answered HTTP 302"), stderr());
    }

    @Test
    void an_unknown_path_is_unhealthy() {
        assertEquals(1, run(url("/nothing-here")));
        assertTrue(stderr().contains("answered HTTP 404"), stderr());
    }

    @Test
    void a_server_that_does_not_answer_in_time_is_unhealthy_after_the_timeout() {
        long start = System.nanoTime();
        assertEquals(1, run(SHORT, url("/hang")));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(stderr().contains("timed out after 500 ms"), stderr());
        assertTrue(elapsedMs < 5_000, "gave up after " + elapsedMs + " ms");
    }

    @Test
    void a_refused_connection_is_unhealthy() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = socket.getLocalPort();
        }
        assertEquals(1, run("http://127.0.0.1:" + freePort + "/health"));
        assertTrue(stderr().contains("failed"), stderr());
    }

    @Test
    void a_malformed_url_is_unhealthy_not_a_crash() {
        assertEquals(1, run("http://exa mple/health"));
        assertTrue(stderr().contains("not a URL"), stderr());
    }

    @Test
    void a_url_without_http_scheme_is_unhealthy() {
        assertEquals(1, run("ftp://127.0.0.1/health"));
        assertEquals(1, run("127.0.0.1:9467/health"));
        assertTrue(stderr().contains("expected an http:// or https:// URL"), stderr());
    }

    @Test
    void more_than_one_argument_is_a_usage_error_with_exit_1_not_2() {
        // Docker reserves exit code 2 of a HEALTHCHECK; anything but 0 must be 1.
        assertEquals(1, run(url("/health"), "extra"));
        assertTrue(stderr().startsWith("usage:"), stderr());
    }

    @Test
    void the_default_url_is_the_agents_default_health_endpoint() {
        assertEquals("http://127.0.0.1:9467/health", HealthCheck.DEFAULT_URL);
        assertEquals(Duration.ofSeconds(2), HealthCheck.TIMEOUT);
    }
}
