package io.rcimport.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a user runs it: --demo serves metrics, SIGTERM exits 0. */
class ShutdownIT {
    @Test
    void the_jar_serves_the_demo_and_exits_0_on_sigterm(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target/rocketchat-import-exporter.jar");
        assertTrue(Files.exists(jar), "mvn package builds " + jar);
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: 0\npoll:\n  interval: 1s\n  timeout: 500ms\n"
                + "targets:\n  - name: placeholder\n    url: http://127.0.0.1:1\n    user_id: u\n    auth_token: t\n");
        Path log = dir.resolve("agent.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-jar", jar.toString(), "--demo", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = waitForPort(log, p);
            HttpClient http = HttpClient.newHttpClient();
            String metrics = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && !metrics.contains("rocketchat_import_up{target=\"demo\"} 1")) {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(200);
            }
            assertTrue(metrics.contains("rocketchat_import_up{target=\"demo\"} 1"), metrics);
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "stops within 15 s of SIGTERM");
            assertEquals(0, p.exitValue(), Files.readString(log));
            assertTrue(Files.readString(log).contains("event=stopped"), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }

    private static int waitForPort(Path log, Process p) throws Exception {
        Pattern listen = Pattern.compile("listen=[^ ]*:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && p.isAlive()) {
            Matcher m = listen.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("agent did not start: " + Files.readString(log) + Duration.ZERO);
    }
}
