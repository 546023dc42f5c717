package io.rcimport.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar re-reads its --config file on SIGHUP, and keeps running on a bad one. */
class ReloadSignalIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String config(String... targets) {
        StringBuilder y = new StringBuilder("server:\n  host: 127.0.0.1\n  port: 0\npoll:\n  interval: 1s\n  timeout: 500ms\ntargets:\n");
        for (String t : targets) {
            // Nothing listens on port 1: the polls fail fast, and /status lists the target anyway.
            y.append("  - name: ").append(t).append("\n    url: http://127.0.0.1:1\n    user_id: u\n    auth_token: t\n");
        }
        return y.toString();
    }

    @Test
    void sighup_reloads_the_configuration_file_and_a_bad_file_is_refused(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target/rocketchat-import-exporter.jar");
        assertTrue(Files.exists(jar), "mvn package builds " + jar);
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, config("first"));
        Path log = dir.resolve("agent.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-jar", jar.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            URI status = URI.create("http://127.0.0.1:" + waitForPort(log, p) + "/status");
            waitFor("the first target listed", () -> targets(status).equals(Set.of("first")), log);

            Files.writeString(config, config("first", "second"));
            hangUp(p);
            waitFor("the second target listed after SIGHUP", () -> targets(status).equals(Set.of("first", "second")), log);

            Files.writeString(config, config("first", "second").replace("interval: 1s", "interval: sometimes"));
            hangUp(p);
            waitFor("the refusal logged", () -> read(log).contains("event=reload_rejected"), log);
            assertTrue(p.isAlive(), read(log));
            assertEquals(Set.of("first", "second"), targets(status), "the running configuration is kept");
            assertTrue(read(log).contains("poll.interval"), "the log names the key: " + read(log));
        } finally {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static void hangUp(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -HUP " + p.pid());
    }

    private Set<String> targets(URI status) {
        try {
            JsonNode body = JSON.readTree(http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            Set<String> names = new TreeSet<>();
            body.path("targets").forEach(t -> names.add(t.path("target").asText()));
            return names;
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (Exception e) {
            return "";
        }
    }

    private static void waitFor(String what, BooleanSupplier condition, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what + "\n" + read(log));
            }
            Thread.sleep(100);
        }
    }

    private static int waitForPort(Path log, Process p) throws Exception {
        Pattern listen = Pattern.compile("listen=[^ ]*:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && p.isAlive()) {
            Matcher m = listen.matcher(read(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("agent did not start: " + read(log));
    }
}
