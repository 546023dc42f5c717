package io.rcimport.exporter.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A webhook receiver on 127.0.0.1: records every POST (path, body, arrival time) and answers 200. */
final class WebhookRecorder implements AutoCloseable {
    /** One POST as received. */
    record Received(String path, String body, Instant at) {
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    WebhookRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "e2e-webhook-recorder");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if ("POST".equals(exchange.getRequestMethod())) {
                received.add(new Received(exchange.getRequestURI().getPath(), body, Instant.now()));
                exchange.sendResponseHeaders(200, -1);
            } else {
                exchange.sendResponseHeaders(405, -1);
            }
        }
    }

    /** {@code http://127.0.0.1:PORT} + path. */
    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Everything received on {@code path} so far, in arrival order. */
    List<Received> on(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    List<Received> all() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
