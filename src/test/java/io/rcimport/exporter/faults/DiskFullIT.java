package io.rcimport.exporter.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.rcimport.exporter.testing.Eventually.await;
import static io.rcimport.exporter.testing.RocketChatFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.rcimport.exporter.Agent;
import io.rcimport.exporter.testing.Http;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.MetricsText;
import io.rcimport.exporter.testing.TestConfigs;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix's disk case: the state file cannot be written any more (the disk filled up,
 * the volume went away: here the directory is replaced by a file, so every write fails as on a
 * full disk). Writes fail, are counted and logged once; polling and serving go on; once the
 * cause is gone the file is written again.
 */
class DiskFullIT {
    private static final String STATUS = "/api/v1/import.status";

    @TempDir
    Path dir;

    @Test
    void failing_writes_are_counted_and_logged_once_while_polling_and_serving_go_on() throws Exception {
        WireMockServer rocketChat = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        rocketChat.start();
        Path state = dir.resolve("state");
        HttpClient http = HttpClient.newHttpClient();
        try (LogCapture logs = LogCapture.start(false)) {
            answer(rocketChat, "status-importing-slack.json");
            Agent agent = Agent.start(TestConfigs.of(TestConfigs.tokenTarget("main", rocketChat.baseUrl(), "u", "t"))
                    .listenOn("127.0.0.1", 0).pollEvery(Duration.ofMillis(300), Duration.ofMillis(250)).storage(state).build(),
                    Clock.systemUTC());
            try {
                await("the first write", () -> Files.exists(state.resolve("state.json")));
                Path away = dir.resolve("state-gone");
                Files.move(state, away);
                Files.writeString(state, "the volume is gone"); // every write now fails
                int mark = logs.mark();

                for (String fixture : new String[] {"status-failed.json", "status-importing-slack.json", "status-done.json"}) {
                    answer(rocketChat, fixture);
                    Thread.sleep(2200); // a change, and past the writer's spacing
                }
                MetricsText metrics = MetricsText.parse(Http.get(http, Http.local(agent.port(), "/metrics")).body(), false);
                assertTrue(metrics.value("rocketchat_import_storage_writes_total", "outcome", "failed") >= 2,
                        "every failed write is counted");
                long polls = (long) metrics.value("rocketchat_import_polls_total", "target", "main", "outcome", "success");
                assertTrue(polls >= 10, "polling went on: " + polls);
                assertEquals("done", agent.store().get("main").orElseThrow().state().label(), "and saw every change");
                assertEquals(200, Http.get(http, Http.local(agent.port(), "/status")).statusCode(), "serving went on");
                long warnings = logs.linesSince(mark).stream().filter(l -> l.contains("cannot write the state file")).count();
                assertEquals(1, warnings, "logged once: " + logs.linesSince(mark));

                Files.delete(state);
                Files.move(away, state); // the cause is gone
                answer(rocketChat, "status-importing-slack.json");
                await("written again", Duration.ofSeconds(15), () -> logs.linesSince(mark).stream()
                        .anyMatch(l -> l.contains("is written again")));
                await("the latest status on disk", Duration.ofSeconds(15), () -> kept(state).contains("importer_importing_messages"));
            } finally {
                agent.close();
            }
        } finally {
            rocketChat.stop();
        }
    }

    private static String kept(Path state) {
        try {
            return Files.readString(state.resolve("state.json"));
        } catch (IOException e) {
            return "";
        }
    }

    private static void answer(WireMockServer server, String fixture) {
        server.stubFor(get(urlEqualTo(STATUS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(text(fixture))));
    }
}
