package io.rcimport.exporter.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rcimport.exporter.demo.Fault;
import io.rcimport.exporter.demo.ImportSimulation;
import io.rcimport.exporter.demo.Scenario;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import io.rcimport.exporter.demo.TestRocketChat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The benchmark's fake Rocket.Chat (bench/run starts it): a {@link SimulatedRocketChat} with
 * credentials {@code bench-user}/{@code bench-token}, no rate limit, the steady scenario (nothing
 * fails by itself), served under any base path ({@link TestRocketChat#start(SimulatedRocketChat.Builder, boolean)}), so
 * every target gets its own path ({@code /t0001/api/v1/import.status}) and the per-path request
 * counter says which target each call was for. Beside it, a control server on loopback:
 *
 * <pre>
 * GET  /counts                       "PATH COUNT" per line, then "total N"
 * POST /delay?ms=N                   answer every request N ms late (0: at once)
 * POST /fail                         the import fails now (simulation.forceFailure())
 * POST /recover                      a new operation replaces a failed one
 * POST /webhook                      an Alertmanager webhook receiver (remembers when each alert arrived)
 * GET  /detect?metrics=URL&amp;target=T&amp;interval_ms=I&amp;alert=0|1&amp;timeout_ms=N
 *      one detection trial: recover if needed and wait until URL shows it, wait a random
 *      0..I ms (so the change lands at a random point of the poll cycle), fail, then time
 *      until URL shows state="error" 1 for T and (alert=1) until the webhook receives
 *      RocketChatImportFailed for T; answers {"metrics_ms":..,"alert_ms":..}
 * </pre>
 *
 * <p>Usage: {@code BenchFake --ports-file FILE [--delay-ms N]}; FILE gets "FAKE_PORT CONTROL_PORT".
 * Runs until killed.
 */
public final class BenchFake {
    static final String USER_ID = "bench-user";
    static final String AUTH_TOKEN = "bench-token";

    private final TestRocketChat rc;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** "alertname target" of firing alerts -> System.nanoTime() when the webhook first got it. */
    private final Map<String, Long> firingSeen = new ConcurrentHashMap<>();

    private BenchFake(TestRocketChat rc) {
        this.rc = rc;
    }

    public static void main(String[] args) throws Exception {
        Path portsFile = null;
        long delayMs = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ports-file" -> portsFile = Path.of(args[++i]);
                case "--delay-ms" -> delayMs = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (portsFile == null) {
            throw new IllegalArgumentException("--ports-file FILE is required");
        }
        ImportSimulation simulation = new ImportSimulation(Clock.systemUTC(), new SplittableRandom(42), Scenario.steady());
        TestRocketChat rc = TestRocketChat.start(SimulatedRocketChat.builder(simulation)
                .credentials(USER_ID, AUTH_TOKEN), true);
        if (delayMs > 0) {
            rc.setFault(Fault.delayed(Duration.ofMillis(delayMs)));
        }
        BenchFake fake = new BenchFake(rc);
        HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        control.setExecutor(Executors.newFixedThreadPool(4));
        control.createContext("/", fake::handle);
        control.start();
        Path tmp = portsFile.resolveSibling(portsFile.getFileName() + ".tmp");
        Files.writeString(tmp, rc.port() + " " + control.getAddress().getPort() + "\n");
        Files.move(tmp, portsFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = query(ex.getRequestURI());
            String method = ex.getRequestMethod();
            switch (method + " " + path) {
                case "GET /counts" -> reply(ex, 200, counts());
                case "POST /delay" -> {
                    long ms = Long.parseLong(q.getOrDefault("ms", "0"));
                    rc.setFault(ms > 0 ? Fault.delayed(Duration.ofMillis(ms)) : Fault.none());
                    reply(ex, 200, "delay " + ms + " ms\n");
                }
                case "POST /fail" -> {
                    rc.simulation().forceFailure();
                    reply(ex, 200, "failed\n");
                }
                case "POST /recover" -> {
                    rc.simulation().forceRecovery();
                    reply(ex, 200, "recovered\n");
                }
                case "POST /webhook" -> {
                    webhook(ex.getRequestBody());
                    reply(ex, 200, "ok\n");
                }
                case "GET /detect" -> reply(ex, 200, detect(q));
                default -> reply(ex, 404, "no such control: " + method + " " + path + "\n");
            }
        } catch (RuntimeException | InterruptedException e) {
            reply(ex, 500, e + "\n");
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            ex.close();
        }
    }

    private String counts() {
        StringBuilder out = new StringBuilder();
        rc.requestCounts().forEach((path, n) -> out.append(path).append(' ').append(n).append('\n'));
        out.append("total ").append(rc.requestCount()).append('\n');
        return out.toString();
    }

    private void webhook(InputStream body) throws IOException {
        long now = System.nanoTime();
        JsonNode root = json.readTree(body);
        for (JsonNode alert : root.path("alerts")) {
            if ("firing".equals(alert.path("status").asText())) {
                JsonNode labels = alert.path("labels");
                firingSeen.putIfAbsent(labels.path("alertname").asText() + " " + labels.path("target").asText(), now);
            }
        }
    }

    private String detect(Map<String, String> q) throws IOException, InterruptedException {
        URI metrics = URI.create(q.get("metrics"));
        String target = q.get("target");
        long intervalMs = Long.parseLong(q.getOrDefault("interval_ms", "1000"));
        boolean alert = "1".equals(q.get("alert"));
        long deadline = System.nanoTime() + Long.parseLong(q.getOrDefault("timeout_ms", "60000")) * 1_000_000;
        Pattern error = Pattern.compile("(?m)^rocketchat_import_state\\{state=\"error\",target=\"" + Pattern.quote(target)
                + "\"\\} 1(\\.0)?$");
        Pattern up = Pattern.compile("(?m)^rocketchat_import_up\\{target=\"" + Pattern.quote(target) + "\"\\} 1(\\.0)?$");

        // Start from a good, non-error state the agent has seen.
        String body = get(metrics);
        if (error.matcher(body).find()) {
            rc.simulation().forceRecovery();
        }
        while (error.matcher(body).find() || !up.matcher(body).find()) {
            if (System.nanoTime() > deadline) {
                return "{\"error\":\"agent did not show a good non-error state in time\"}\n";
            }
            Thread.sleep(20);
            body = get(metrics);
        }
        Thread.sleep(ThreadLocalRandom.current().nextLong(Math.max(1, intervalMs)));
        firingSeen.remove("RocketChatImportFailed " + target);

        long changed = System.nanoTime();
        rc.simulation().forceFailure();
        long seenInMetrics = -1;
        long seenByReceiver = -1;
        while (System.nanoTime() < deadline && (seenInMetrics < 0 || alert && seenByReceiver < 0)) {
            if (seenInMetrics < 0 && error.matcher(get(metrics)).find()) {
                seenInMetrics = System.nanoTime();
            }
            Long hook = firingSeen.get("RocketChatImportFailed " + target);
            if (alert && seenByReceiver < 0 && hook != null) {
                seenByReceiver = hook;
            }
            Thread.sleep(5);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metrics_ms", seenInMetrics < 0 ? null : (seenInMetrics - changed) / 1e6);
        out.put("alert_ms", !alert || seenByReceiver < 0 ? null : (seenByReceiver - changed) / 1e6);
        return json.writeValueAsString(out) + "\n";
    }

    private String get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            q.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return q;
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
