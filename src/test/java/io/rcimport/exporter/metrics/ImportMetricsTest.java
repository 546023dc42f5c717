package io.rcimport.exporter.metrics;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.rcimport.exporter.rocketchat.HttpAnswer;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ResponseClassifier;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.MetricsText;
import io.rcimport.exporter.testing.TestClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the collector prints for given snapshots: read back through the real text writer. */
class ImportMetricsTest {
    static final String VERSION = "0.0.0-golden";
    private static final Duration STALE_AFTER = Duration.ofMinutes(1);
    private static final String GOLDEN = "golden/metrics.txt";
    /** The slack fixture's _updatedAt is 2021-10-26T20:52:24.211Z; this is 36 s later. */
    private static final Instant SLACK_POLLED_AT = Instant.parse("2021-10-26T20:53:00Z");

    private TestClock clock;
    private PrometheusMeterRegistry registry;
    private StatusStore store;
    private ImportMetrics metrics;

    @BeforeEach
    void setUp() {
        clock = new TestClock(SLACK_POLLED_AT.minusSeconds(60));
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        store = new StatusStore(List.of("main", "backup"), clock, Duration.ofMinutes(10));
        metrics = new ImportMetrics(registry.getPrometheusRegistry(), store, clock, STALE_AFTER, VERSION);
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    /** The fixture as the client would classify it, with X-RateLimit-Remaining: 9. */
    private PollResult fixture(String name) {
        return ResponseClassifier.classify(new HttpAnswer(200, "application/json", bytes(name), false,
                OptionalLong.of(9), Optional.empty()), 1 << 20, clock.instant());
    }

    /** The registry as the exposition writer for {@code accept} prints it (what /metrics serves). */
    private String render(String accept) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().findWriter(accept).write(out, registry.getPrometheusRegistry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private String text() throws IOException {
        return render("text/plain;version=0.0.4");
    }

    private MetricsText scrape() throws IOException {
        return MetricsText.parse(text(), false);
    }

    private static String ownLines(String exposition) {
        return exposition.lines()
                .filter(l -> l.startsWith("rocketchat_import_")
                        || l.startsWith("# HELP rocketchat_import_") || l.startsWith("# TYPE rocketchat_import_"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void the_exposition_for_the_slack_fixture_matches_the_golden_file() throws IOException {
        store.update("main", fixture("status-ready.json"));
        clock.set(SLACK_POLLED_AT);
        store.update("main", fixture("status-importing-slack.json"));
        metrics.observePollDuration("main", Duration.ofMillis(120));

        String actual = ownLines(text());

        if (Boolean.getBoolean("golden.update")) {
            Path file = Path.of("src/test/resources", GOLDEN);
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual);
        }
        String expected;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(GOLDEN)) {
            if (in == null) {
                throw new AssertionError("no " + GOLDEN + "; run once with -Dgolden.update=true and review it");
            }
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(expected, actual);
    }

    @Test
    void the_state_set_has_all_nine_series_with_exactly_one_at_1() throws IOException {
        store.update("main", fixture("status-error-after-restart.json"));

        MetricsText m = scrape();

        List<MetricsText.Sample> states = m.find("rocketchat_import_state", "target", "main");
        assertEquals(9, states.size());
        for (ImportState s : ImportState.values()) {
            assertEquals(s == ImportState.ERROR ? 1.0 : 0.0, m.value("rocketchat_import_state", "target", "main", "state", s.label()), s.label());
        }
        assertEquals(1.0, states.stream().mapToDouble(MetricsText.Sample::value).sum());
    }

    @Test
    void an_error_after_a_restart_shows_status_and_valid_false_beside_the_state() throws IOException {
        store.update("main", fixture("status-error-after-restart.json"));

        MetricsText.Sample info = scrape().find("rocketchat_import_operation_info", "target", "main").get(0);

        assertEquals("importer_importing_users", info.labels().get("status"));
        assertEquals("false", info.labels().get("valid"));
        assertEquals("64d69545ee8ae821983005f5", info.labels().get("operation_id"));
    }

    @Test
    void state_none_has_the_state_set_but_no_operation_series() throws IOException {
        store.update("main", fixture("status-none.json"));

        MetricsText m = scrape();

        assertEquals(1.0, m.value("rocketchat_import_state", "target", "main", "state", "none"));
        assertFalse(m.has("rocketchat_import_operation_info", "target", "main"));
        assertFalse(m.has("rocketchat_import_records", "target", "main"));
        assertFalse(m.has("rocketchat_import_progress_ratio", "target", "main"));
        assertEquals(0.0, m.value("rocketchat_import_stalled", "target", "main"));
    }

    @Test
    void an_unknown_step_is_reported_as_state_unknown_with_its_status() throws IOException {
        clock.set(Instant.parse("2026-05-02T09:02:00Z"));
        store.update("main", fixture("status-unknown-step.json"));

        MetricsText m = scrape();

        assertEquals(1.0, m.value("rocketchat_import_state", "target", "main", "state", "unknown"));
        assertEquals("importer_some_future_step",
                m.find("rocketchat_import_operation_info", "target", "main").get(0).labels().get("status"));
        assertFalse(m.has("rocketchat_import_progress_ratio", "target", "main"), "total 0: no ratio");
    }

    @Test
    void a_target_never_polled_exports_up_0_and_no_data_series() throws IOException {
        MetricsText m = scrape();

        assertEquals(0.0, m.value("rocketchat_import_up", "target", "backup"));
        assertFalse(m.has("rocketchat_import_state", "target", "backup"));
        assertFalse(m.has("rocketchat_import_last_success_timestamp_seconds", "target", "backup"));
    }

    @Test
    void a_stale_target_loses_its_data_series_and_is_down() throws IOException {
        clock.set(SLACK_POLLED_AT);
        store.update("main", fixture("status-importing-slack.json"));
        assertEquals(1.0, scrape().value("rocketchat_import_up", "target", "main"));

        clock.advance(STALE_AFTER.plusSeconds(1));
        MetricsText m = scrape();

        assertEquals(0.0, m.value("rocketchat_import_up", "target", "main"));
        for (String data : List.of("rocketchat_import_state", "rocketchat_import_operation_info", "rocketchat_import_records",
                "rocketchat_import_records_completed", "rocketchat_import_records_failed", "rocketchat_import_staged_records",
                "rocketchat_import_progress_ratio", "rocketchat_import_stalled",
                "rocketchat_import_operation_created_timestamp_seconds", "rocketchat_import_operation_updated_timestamp_seconds")) {
            assertFalse(m.has(data, "target", "main"), data + " survived staleness");
        }
        // What lets an alert say how long it has been:
        assertEquals(SLACK_POLLED_AT.getEpochSecond(), m.value("rocketchat_import_last_success_timestamp_seconds", "target", "main"), 0.001);
    }

    @Test
    void a_failed_poll_sets_up_to_0_but_keeps_the_data_until_stale() throws IOException {
        clock.set(SLACK_POLLED_AT);
        store.update("main", fixture("status-importing-slack.json"));
        clock.advance(Duration.ofSeconds(15));
        store.update("main", PollResult.Failure.of(Outcome.TIMEOUT, "slow"));

        MetricsText m = scrape();

        assertEquals(0.0, m.value("rocketchat_import_up", "target", "main"));
        assertEquals(18250.0, m.value("rocketchat_import_records", "target", "main"));
        assertEquals(1.0, m.value("rocketchat_import_polls_total", "target", "main", "outcome", "timeout"));
    }

    @Test
    void every_outcome_series_exists_from_the_start_at_zero() throws IOException {
        MetricsText m = scrape();
        for (Outcome o : Outcome.values()) {
            assertEquals(0.0, m.value("rocketchat_import_polls_total", "target", "backup", "outcome", o.label()), o.label());
        }
    }

    @Test
    void each_poll_counts_once_under_its_outcome() throws IOException {
        store.update("main", fixture("status-ready.json"));
        store.update("main", PollResult.Failure.of(Outcome.RATE_LIMITED, "slow down"));
        store.update("main", PollResult.Failure.of(Outcome.RATE_LIMITED, "slow down"));

        MetricsText m = scrape();

        assertEquals(1.0, m.value("rocketchat_import_polls_total", "target", "main", "outcome", "success"));
        assertEquals(2.0, m.value("rocketchat_import_polls_total", "target", "main", "outcome", "rate_limited"));
        assertEquals(0.0, m.value("rocketchat_import_polls_total", "target", "main", "outcome", "timeout"));
    }

    @Test
    void state_changes_are_counted_by_from_and_to() throws IOException {
        store.update("main", fixture("status-ready.json"));
        store.update("main", fixture("status-importing-slack.json"));
        store.update("main", fixture("status-importing-slack.json"));

        MetricsText m = scrape();

        assertEquals(1.0, m.value("rocketchat_import_state_changes_total", "target", "main", "from", "ready", "to", "importing"));
        assertEquals(1, m.find("rocketchat_import_state_changes_total").size());
    }

    @Test
    void poll_durations_land_in_the_histogram() throws IOException {
        metrics.observePollDuration("main", Duration.ofMillis(120));
        metrics.observePollDuration("main", Duration.ofSeconds(3));

        MetricsText m = scrape();

        assertEquals(2.0, m.value("rocketchat_import_poll_duration_seconds_count", "target", "main"));
        assertEquals(3.12, m.value("rocketchat_import_poll_duration_seconds_sum", "target", "main"), 1e-9);
        assertEquals(0.0, m.value("rocketchat_import_poll_duration_seconds_bucket", "target", "main", "le", "0.1"));
        assertEquals(1.0, m.value("rocketchat_import_poll_duration_seconds_bucket", "target", "main", "le", "0.25"));
        assertEquals(2.0, m.value("rocketchat_import_poll_duration_seconds_bucket", "target", "main", "le", "+Inf"));
        assertEquals("histogram", m.types().get("rocketchat_import_poll_duration_seconds"));
    }

    @Test
    void alert_deliveries_are_counted_by_sink_and_outcome() throws IOException {
        metrics.countAlertDelivery("alertmanager", "success");
        metrics.countAlertDelivery("alertmanager", "success");
        metrics.countAlertDelivery("webhook", "error");

        MetricsText m = scrape();

        assertEquals(2.0, m.value("rocketchat_import_alerts_sent_total", "sink", "alertmanager", "outcome", "success"));
        assertEquals(1.0, m.value("rocketchat_import_alerts_sent_total", "sink", "webhook", "outcome", "error"));
    }

    @Test
    void rate_and_eta_appear_once_an_import_has_been_watched_long_enough() throws IOException {
        Instant start = clock.instant();
        for (int s = 0; s <= 120; s += 5) {
            clock.set(start.plusSeconds(s));
            long count = 50L * (s / 10);
            store.update("main", new PollResult.Success(
                    new io.rcimport.exporter.rocketchat.ImportStatus(ImportState.IMPORTING, Optional.of(
                            new io.rcimport.exporter.rocketchat.ImportOperation("op", "api", "api", "importer_importing_users", true,
                                    Optional.of(start), Optional.of(clock.instant()),
                                    new io.rcimport.exporter.rocketchat.ImportCounts(10_000, count, 0, 10_000, 0, 0)))),
                    new byte[] {'{', '}'}, OptionalLong.empty()));
        }

        MetricsText m = scrape();

        double rate = m.value("rocketchat_import_records_per_second", "target", "main");
        assertEquals(5.0, rate, 0.5);
        assertEquals((10_000 - 600) / rate, m.value("rocketchat_import_eta_seconds", "target", "main"), 1e-6);
    }

    @Test
    void a_removed_target_loses_its_counters() throws IOException {
        store.update("main", fixture("status-ready.json"));
        metrics.observePollDuration("main", Duration.ofMillis(10));

        store.retainTargets(List.of("backup"));
        metrics.removeTarget("main");
        MetricsText m = scrape();

        assertFalse(m.has("rocketchat_import_polls_total", "target", "main"));
        assertFalse(m.has("rocketchat_import_poll_duration_seconds_count", "target", "main"));
        assertFalse(m.has("rocketchat_import_up", "target", "main"));
        assertTrue(m.has("rocketchat_import_up", "target", "backup"));
    }

    @Test
    void label_values_with_spaces_quotes_backslashes_and_newlines_keep_the_exposition_valid() throws IOException {
        store.update("main", new PollResult.Success(new io.rcimport.exporter.rocketchat.ImportStatus(ImportState.UNKNOWN, Optional.of(
                new io.rcimport.exporter.rocketchat.ImportOperation("op 1", "Pending Avatars", "pending-avatars",
                        "importer_\"odd\"\\step\nx", true, Optional.empty(), Optional.empty(),
                        io.rcimport.exporter.rocketchat.ImportCounts.EMPTY))),
                new byte[] {'{', '}'}, OptionalLong.empty()));

        MetricsText.Sample info = scrape().find("rocketchat_import_operation_info", "target", "main").get(0);
        assertEquals("Pending Avatars", info.labels().get("type"));
        assertEquals("importer_\\\"odd\\\"\\\\step\\nx", info.labels().get("status"), "escaped as the format requires");
        MetricsText.parse(render("application/openmetrics-text;version=1.0.0"), true);
    }

    @Test
    void build_info_carries_the_version() throws IOException {
        assertEquals(1.0, scrape().value("rocketchat_import_exporter_build_info", "version", VERSION));
    }
}
