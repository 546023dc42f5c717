package io.rcimport.exporter.metrics;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.rcimport.exporter.rocketchat.ImportStatusParser;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ServerVersion;
import io.rcimport.exporter.status.HeartbeatLimits;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.MetricsText;
import io.rcimport.exporter.testing.TestClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** rocketchat_import_awaiting_operator, rocketchat_import_server_info and staged_records{kind="contacts"}. */
class NewerSeriesTest {
    private final TestClock clock = TestClock.at("2026-11-30T09:42:41.907Z"); // status-file-loaded: 30 min unchanged
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final StatusStore store = new StatusStore(List.of("main"), clock,
            new HeartbeatLimits(Duration.ofMinutes(10), Duration.ofMinutes(30)));

    NewerSeriesTest() {
        new ImportMetrics(registry.getPrometheusRegistry(), store, clock, Duration.ofMinutes(1), "test");
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private void poll(String fixture, Optional<ServerVersion> version) throws Exception {
        byte[] body = bytes(fixture);
        store.update("main", new PollReport(new PollResult.Success(ImportStatusParser.parse(body), body, OptionalLong.empty()),
                version, Optional.empty()));
    }

    private MetricsText scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().findWriter("text/plain;version=0.0.4").write(out, registry.getPrometheusRegistry().scrape());
        return MetricsText.parse(out.toString(StandardCharsets.UTF_8), false);
    }

    @Test
    void a_file_waiting_for_an_admin_is_awaiting_an_operator_and_not_stalled() throws Exception {
        poll("status-file-loaded.json", Optional.empty());
        MetricsText m = scrape();
        assertEquals(1, m.value("rocketchat_import_awaiting_operator", "target", "main"));
        assertEquals(0, m.value("rocketchat_import_stalled", "target", "main"));
    }

    @Test
    void the_server_version_is_an_info_series_absent_while_unknown() throws Exception {
        poll("status-none.json", Optional.empty());
        assertFalse(scrape().has("rocketchat_import_server_info"));
        poll("status-none.json", ServerVersion.parse("7.11"));
        assertEquals(1, scrape().value("rocketchat_import_server_info", "target", "main", "version", "7.11"));
        clock.advance(Duration.ofMinutes(5)); // stale: data series go, identity stays
        MetricsText stale = scrape();
        assertFalse(stale.has("rocketchat_import_state"));
        assertTrue(stale.has("rocketchat_import_server_info", "version", "7.11"));
    }

    @Test
    void contacts_are_a_kind_of_staged_records() throws Exception {
        poll("status-done-clean.json", Optional.empty());
        assertEquals(12, scrape().value("rocketchat_import_staged_records", "target", "main", "kind", "contacts"));
    }
}
