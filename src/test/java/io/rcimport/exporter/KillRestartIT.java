package io.rcimport.exporter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.testing.RocketChatFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar killed with SIGKILL (an OOM kill, a node failure: no shutdown hook runs) and
 * started again on the same storage.path: what it had written is there, and the import that
 * finished meanwhile is reported as a state change seen after the restart.
 */
class KillRestartIT {
    @Test
    void a_change_while_the_killed_agent_was_down_is_reported_after_the_restart(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target/rocketchat-import-exporter.jar");
        assertTrue(Files.exists(jar), "mvn package builds " + jar);
        WireMockServer rocketChat = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        rocketChat.start();
        try {
            answer(rocketChat, "status-importing-slack.json");
            Path state = dir.resolve("state");
            Path config = dir.resolve("c.yaml");
            Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: 0\npoll:\n  interval: 1s\n  timeout: 500ms\n"
                    + "storage:\n  path: " + state + "\n"
                    + "targets:\n  - name: main\n    url: " + rocketChat.baseUrl() + "\n    user_id: u\n    auth_token: t\n");

            Process first = start(jar, config, dir.resolve("first.log"));
            try {
                waitFor("the kept status on disk", 30, () -> read(state.resolve("state.json")).contains("importer_importing_messages"));
                first.destroyForcibly(); // SIGKILL
                assertTrue(first.waitFor(15, TimeUnit.SECONDS));
                assertEquals(137, first.exitValue(), "killed, not stopped");
            } finally {
                first.destroyForcibly();
            }

            answer(rocketChat, "status-done.json"); // the import finished while the agent was down
            Path secondLog = dir.resolve("second.log");
            Process second = start(jar, config, secondLog);
            try {
                waitFor("the state change seen after the restart", 30, () -> read(secondLog).lines().anyMatch(l ->
                        l.contains("event=state_change from=importing to=done") && l.contains("after_restart=true")));
                second.destroy(); // SIGTERM
                assertTrue(second.waitFor(15, TimeUnit.SECONDS));
                assertEquals(0, second.exitValue(), read(secondLog));
                assertTrue(read(state.resolve("state.json")).contains("importer_done"), "written again at the clean stop");
            } finally {
                second.destroyForcibly();
            }
        } finally {
            rocketChat.stop();
        }
    }

    private static void answer(WireMockServer server, String fixture) {
        server.stubFor(get(urlEqualTo("/api/v1/import.status")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(text(fixture))));
    }

    private static Process start(Path jar, Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-jar", jar.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void waitFor(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
