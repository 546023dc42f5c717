package io.rcimport.exporter.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NoTlsTest {
    private HttpServer server;
    private ExecutorService executor;
    private HttpClient plain;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "plain".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        executor = Executors.newSingleThreadExecutor();
        plain = RocketChatClient.newPlainHttpClient(Duration.ofSeconds(2), executor);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return plain.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
    }

    @Test
    void the_plain_client_speaks_http() throws Exception {
        HttpResponse<String> r = get("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/import.status");
        assertEquals(200, r.statusCode());
        assertEquals("plain", r.body());
    }

    @Test
    void an_https_request_on_the_plain_client_fails() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get("https://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/import.status"));
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("no TLS on the plain-HTTP client", cause.getMessage());
    }

    @Test
    void the_context_refuses_every_use() {
        assertThrows(IllegalStateException.class, () -> NoTls.context().createSSLEngine("localhost", 443));
        assertThrows(IllegalStateException.class, () -> NoTls.context().getSocketFactory());
        assertThrows(IllegalStateException.class, () -> NoTls.context().getDefaultSSLParameters());
    }
}
