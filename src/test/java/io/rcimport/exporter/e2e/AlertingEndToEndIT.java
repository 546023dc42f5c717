package io.rcimport.exporter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.Agent;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.demo.ImportSimulation;
import io.rcimport.exporter.demo.RateLimit;
import io.rcimport.exporter.demo.Scenario;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.testing.TestConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Alerts end to end with the real stack, all on loopback with ports picked at runtime:
 * a simulated Rocket.Chat, the agent in-process, a real Alertmanager and a real Prometheus
 * (scraping the agent, evaluating the shipped rules, alerting to the same Alertmanager), and
 * a local webhook receiver behind both Alertmanager and the agent's own webhooks.
 *
 * <p>One import runs through the class: the dashboard's queries are checked while it imports,
 * then it fails (both alert paths must deliver), then a new healthy import starts (both alerts
 * must resolve). Child-process logs, the webhook traffic and the measured delivery latencies
 * go to {@code target/e2e-logs/}.
 *
 * <p>Needs {@code prometheus}, {@code promtool} and {@code prometheus-alertmanager} on PATH:
 * skipped without them, failed without them when {@code CI=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertingEndToEndIT {
    static final String TARGET = "e2e";
    static final String JOB = "rocketchat-import-exporter";
    static final String FAILED = "RocketChatImportFailed";
    static final String USER_ID = "e2eUserId0000001";
    static final String AUTH_TOKEN = "e2e-token-0123456789";
    static final String AM_HOOK = "/alertmanager";
    static final String RC_HOOK = "/hooks/rocketchat";
    static final String JSON_HOOK = "/hooks/json";
    /** Upper bound for anything that should take seconds; generous for a loaded 2-core machine. */
    static final Duration WAIT = Duration.ofSeconds(60);

    static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path LOGS = PROJECT.resolve("target/e2e-logs");
    static final Path RULES = PROJECT.resolve("prometheus/rocketchat-import-rules.yml");
    static final Path RULE_TESTS = PROJECT.resolve("prometheus/rocketchat-import-rules.test.yml");
    static final Path DASHBOARD = PROJECT.resolve("grafana/dashboards/rocketchat-import.json");


    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Binaries binaries;
    private String skipReason = "";
    private Path tmp;
    private WebhookRecorder hooks;
    private ImportSimulation simulation;
    private SimulatedRocketChat rocketChat;
    private Daemon alertmanager;
    private Agent agent;
    private Daemon prometheus;
    private Thread killChildrenOnExit;

    /** When {@link #a_failed_import_reaches_alertmanager_by_both_paths_and_the_webhooks} forced the failure. */
    private Instant failureForcedAt;

    // ---- the stack ------------------------------------------------------------------------

    /**
     * Steady: no operation until the test starts one, then about 8 s to "importing" and two
     * minutes of importing users (a count write every 2 s, so rate and ETA appear quickly);
     * nothing fails unless forced, and a failed operation stays until a new one is started.
     */
    static Scenario scenario() {
        return new Scenario(
                Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofHours(1),
                new Scenario.Range(3000, 3000), new Scenario.Range(10, 10), new Scenario.Range(1000, 1000),
                2000, 25, 5, 100,
                0.01, 0,
                1, 0,
                0, 0, 0, 0,
                Duration.ofMinutes(1));
    }

    @BeforeAll
    void start_the_stack() throws Exception {
        try {
            binaries = Binaries.find();
        } catch (Binaries.Missing e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + e.getMessage());
            }
            skipReason = "skipped: " + e.getMessage();
            System.err.println("AlertingEndToEndIT " + skipReason);
            return; // every test aborts in skip_without_the_binaries: reported as skipped, one by one
        }
        Files.createDirectories(LOGS);
        try (Stream<Path> old = Files.list(LOGS)) {
            for (Path p : old.toList()) {
                Files.deleteIfExists(p);
            }
        }
        tmp = Files.createTempDirectory("rcie-e2e-");
        killChildrenOnExit = new Thread(this::stop_the_stack_now, "e2e-kill-children");
        Runtime.getRuntime().addShutdownHook(killChildrenOnExit);

        hooks = new WebhookRecorder();

        simulation = new ImportSimulation(Clock.systemUTC(), new SplittableRandom(20261129), scenario());
        rocketChat = SimulatedRocketChat.builder(simulation)
                .credentials(USER_ID, AUTH_TOKEN)
                .rateLimit(RateLimit.of(100_000, Duration.ofMinutes(1))) // headers for rate_limit_remaining, never limits
                .build().start();

        Path amConfig = tmp.resolve("alertmanager.yml");
        Files.writeString(amConfig, """
                route:
                  receiver: e2e
                  group_by: [alertname, target]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: e2e
                    webhook_configs:
                      - url: %s
                        send_resolved: true
                """.formatted(hooks.url(AM_HOOK)));
        Path amData = Files.createDirectories(tmp.resolve("alertmanager-data"));
        alertmanager = Daemon.start("alertmanager", port -> List.of(binaries.alertmanager().toString(),
                        "--config.file=" + amConfig, "--storage.path=" + amData,
                        "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address="),
                "/-/ready", LOGS.resolve("alertmanager.log"), WAIT);

        Config parsed = ConfigLoader.parse("""
                server:
                  host: 127.0.0.1
                poll:
                  interval: 1s
                  timeout: 500ms
                  stale_after: 5s
                  awaiting_operator_after: 2s
                targets:
                  - name: %s
                    url: %s
                    user_id: ${RC_USER_ID}
                    auth_token: ${RC_AUTH_TOKEN}
                alerting:
                  alertmanagers:
                    - url: %s
                  resend_interval: 2s
                  webhooks:
                    - url: %s
                      format: rocketchat
                    - url: %s
                      format: json
                """.formatted(TARGET, rocketChat.url(), alertmanager.url(), hooks.url(RC_HOOK), hooks.url(JSON_HOOK)),
                Map.of("RC_USER_ID", USER_ID, "RC_AUTH_TOKEN", AUTH_TOKEN));
        // server.port must be 1-65535 in config.yaml; the agent itself binds port 0 happily.
        Config config = TestConfigs.from(parsed).listenOn(parsed.server().host(), 0).build();
        agent = Agent.start(config, Clock.systemUTC());
        assertTrue(agent.port() > 0, "the agent reports the port it bound: " + agent.port());
        // The import starts only once the agent has seen "none": it then observes every state change
        // (rocketchat_import_state_changes_total exists), however long the processes took to start.
        await("the agent's first good poll (no import yet)", () -> snapshot().up() && snapshot().state() == ImportState.NONE
                ? Optional.of(true) : Optional.empty(), () -> String.valueOf(snapshot()));
        simulation.startNewOperation();

        Path promConfig = tmp.resolve("prometheus.yml");
        Files.writeString(promConfig, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ["127.0.0.1:%d"]
                scrape_configs:
                  - job_name: %s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(RULES, alertmanager.port, JOB, agent.port()));
        Path promData = Files.createDirectories(tmp.resolve("prometheus-data"));
        prometheus = Daemon.start("prometheus", port -> List.of(binaries.prometheus().toString(),
                        "--config.file=" + promConfig, "--storage.tsdb.path=" + promData,
                        "--web.listen-address=127.0.0.1:" + port),
                "/-/ready", LOGS.resolve("prometheus.log"), Duration.ofSeconds(90));
        System.out.printf("e2e stack: rocketchat=%s agent=http://127.0.0.1:%d alertmanager=%s (pid %d) prometheus=%s (pid %d) hooks=%s%n",
                rocketChat.url(), agent.port(), alertmanager.url(), alertmanager.pid(), prometheus.url(), prometheus.pid(),
                hooks.url("/"));
    }

    @BeforeEach
    void skip_without_the_binaries() {
        Assumptions.assumeTrue(binaries != null, skipReason);
    }

    @AfterAll
    void stop_the_stack() {
        saveWebhookTraffic();
        stop_the_stack_now();
        if (killChildrenOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(killChildrenOnExit);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        if (tmp != null) {
            try (Stream<Path> all = Files.walk(tmp)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + tmp + ": " + e);
            }
        }
    }

    /** Reverse order of start; each step runs even if an earlier one throws. */
    private synchronized void stop_the_stack_now() {
        List<AutoCloseable> all = new ArrayList<>();
        Stream.of(prometheus, agent, alertmanager, rocketChat, hooks).filter(c -> c != null).forEach(all::add);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("stopping " + c + ": " + e);
            }
        }
        prometheus = null;
        alertmanager = null;
        agent = null;
        rocketChat = null;
        hooks = null;
    }

    // ---- (e) promtool on the shipped rules ------------------------------------------------

    @Test
    @Order(1)
    void promtool_checks_the_shipped_rules_and_passes_their_unit_tests() throws Exception {
        Promtool promtool = new Promtool(binaries.promtool(), PROJECT);

        Promtool.Result check = promtool.run(List.of("check", "rules", PROJECT.relativize(RULES).toString()));
        record(check);
        assertEquals(0, check.exitCode(), check.toString());
        assertTrue(check.output().contains("SUCCESS"), check.toString());
        assertNoWarnings(check);

        Promtool.Result test = promtool.run(List.of("test", "rules", PROJECT.relativize(RULE_TESTS).toString()));
        record(test);
        assertEquals(0, test.exitCode(), test.toString());
        assertTrue(test.output().contains("SUCCESS"), test.toString());
        assertNoWarnings(test);
    }

    private static void assertNoWarnings(Promtool.Result r) {
        List<String> suspicious = r.output().lines()
                .filter(l -> l.matches("(?i).*\\b(warn\\w*|lint\\w*|fail\\w*|error\\w*)\\b.*"))
                .toList();
        assertTrue(suspicious.isEmpty(), "promtool printed warnings or errors: " + suspicious + "\n" + r);
    }

    // ---- (d) the dashboard against real data ---------------------------------------------

    @Test
    @Order(2)
    void every_dashboard_query_is_valid_and_returns_data_while_an_import_runs() throws Exception {
        awaitImporting();
        List<DashboardQueries.Query> queries = DashboardQueries.read(DASHBOARD);
        assertFalse(queries.isEmpty(), "no queries in " + DASHBOARD);
        for (DashboardQueries.Query q : queries) {
            assertFalse(q.expr().contains("$"), q.label() + ": a Grafana variable left after substitution: " + q.expr());
        }

        Map<DashboardQueries.Query, String> invalid = new LinkedHashMap<>();
        List<DashboardQueries.Query> pending = new ArrayList<>(queries);
        Map<DashboardQueries.Query, Integer> seriesCount = new LinkedHashMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (DashboardQueries.Query q : List.copyOf(pending)) {
                JsonNode answer = promQuery(q.expr());
                if (!"success".equals(answer.path("status").asText())) {
                    invalid.put(q, answer.path("errorType").asText() + ": " + answer.path("error").asText());
                    pending.remove(q);
                } else if (resultSize(answer) > 0) {
                    seriesCount.put(q, resultSize(answer));
                    pending.remove(q);
                }
            }
            if (!pending.isEmpty()) {
                Thread.sleep(1000);
            }
        }
        String report = queries.stream().map(q -> String.format("%-14s %s: %s",
                        invalid.containsKey(q) ? "INVALID" : pending.contains(q) ? "NO DATA" : "ok (" + seriesCount.get(q) + ")",
                        q.label(), q.expr().replaceAll("\\s+", " ")))
                .collect(Collectors.joining("\n"));
        System.out.println("dashboard queries against Prometheus:\n" + report);
        Files.writeString(LOGS.resolve("dashboard-queries.txt"), report + "\n");
        assertTrue(invalid.isEmpty(), "queries Prometheus rejects: " + invalid);
        assertTrue(pending.isEmpty(), "queries without data after " + WAIT.toSeconds() + " s: "
                + pending.stream().map(DashboardQueries.Query::label).toList() + "\n" + report);
        assertEquals(ImportState.IMPORTING, snapshot().state(), "the import was still running when the queries were checked");
    }

    private static int resultSize(JsonNode answer) {
        JsonNode data = answer.path("data");
        JsonNode result = data.path("result");
        return switch (data.path("resultType").asText()) {
            case "scalar", "string" -> result.isArray() && result.size() == 2 ? 1 : 0;
            default -> result.size();
        };
    }

    // ---- (e) promtool check metrics on the agent's /metrics -------------------------------

    @Test
    @Order(3)
    void promtool_finds_nothing_wrong_with_the_agents_own_metrics() throws Exception {
        awaitImporting(); // state changes and webhook deliveries have happened: every family we own is there
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(agentUrl().resolve("/metrics"))
                .header("Accept", "text/plain;version=0.0.4").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        String contentType = r.headers().firstValue("Content-Type").orElse("");
        assertTrue(contentType.startsWith("text/plain; version=0.0.4"), "Content-Type: " + contentType);
        Files.writeString(LOGS.resolve("metrics.txt"), r.body());
        Promtool promtool = new Promtool(binaries.promtool(), PROJECT);

        Promtool.Result whole = promtool.run(List.of("check", "metrics"), r.body().getBytes(StandardCharsets.UTF_8));
        record(whole);
        List<String> findings = whole.output().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(findings.isEmpty(), "promtool check metrics must find nothing on the whole /metrics: " + findings + "\n" + whole);
        assertEquals(0, whole.exitCode(), whole.toString());
        assertTrue(r.body().contains("# TYPE process_cpu_seconds_total counter"), "the standard process CPU counter is exported");

        String own = ownFamilies(r.body());
        for (String family : List.of("rocketchat_import_up", "rocketchat_import_state", "rocketchat_import_operation_info",
                "rocketchat_import_records", "rocketchat_import_progress_ratio", "rocketchat_import_records_per_second",
                "rocketchat_import_eta_seconds", "rocketchat_import_state_changes_total", "rocketchat_import_polls_total",
                "rocketchat_import_poll_duration_seconds", "rocketchat_import_alerts_sent_total",
                "rocketchat_import_rate_limit_remaining", "rocketchat_import_exporter_build_info",
                "resilience4j_circuitbreaker_state")) {
            assertTrue(own.contains("# TYPE " + family + " "), family + " is missing from /metrics");
        }
        Promtool.Result mine = promtool.run(List.of("check", "metrics"), own.getBytes(StandardCharsets.UTF_8));
        record(mine);
        assertEquals(0, mine.exitCode(), mine.toString());
        assertEquals("", mine.output().strip(), "promtool has findings on rocketchat_import_* / resilience4j_*:\n" + mine);
    }

    /** The families of the DESIGN.md metric table (ours and resilience4j's), HELP and TYPE lines included. */
    static String ownFamilies(String exposition) {
        return exposition.lines().filter(line -> {
            String name;
            if (line.startsWith("# ")) {
                String[] parts = line.split(" ", 4);
                name = parts.length > 2 ? parts[2] : "";
            } else {
                name = line.split("[{ ]", 2)[0];
            }
            return name.startsWith("rocketchat_import_") || name.startsWith("resilience4j_");
        }).collect(Collectors.joining("\n", "", "\n"));
    }

    // ---- (a) + (b): a failure, delivered by both paths -----------------------------------

    @Test
    @Order(4)
    void a_failed_import_reaches_alertmanager_by_both_paths_and_the_webhooks() throws Exception {
        awaitImporting();
        await("Prometheus sees the import running", () -> promQuery(
                "rocketchat_import_state{state=\"importing\",target=\"" + TARGET + "\"} == 1").path("data").path("result").size() > 0
                ? Optional.of(true) : Optional.empty(), () -> "");

        Instant forced = Instant.now();
        simulation.forceFailure();
        failureForcedAt = forced;
        String operationId = json.readTree(simulation.statusJson()).path("operation").path("_id").asText();
        assertEquals("importer_import_failed", json.readTree(simulation.statusJson()).path("operation").path("status").asText());

        // (a) the agent's own push: no job/instance labels, operation_id from the agent
        Notified pushed = awaitNotification("the agent's pushed " + FAILED + " at Alertmanager's receiver", forced,
                "firing", a -> !a.path("labels").has("job"));
        JsonNode pushedLabels = pushed.alert().path("labels");
        assertEquals("critical", pushedLabels.path("severity").asText(), pushed.alert().toString());
        assertEquals(TARGET, pushedLabels.path("target").asText(), pushed.alert().toString());
        assertEquals(operationId, pushedLabels.path("operation_id").asText(), pushed.alert().toString());
        assertTrue(pushed.alert().path("generatorURL").asText().endsWith("/status/" + TARGET), pushed.alert().toString());

        // (b) the rule: job/instance from the scrape, severity from the rule
        Notified ruled = awaitNotification("the Prometheus rule's " + FAILED + " at Alertmanager's receiver", forced,
                "firing", a -> JOB.equals(a.path("labels").path("job").asText()));
        JsonNode ruledLabels = ruled.alert().path("labels");
        assertEquals("critical", ruledLabels.path("severity").asText(), ruled.alert().toString());
        assertEquals(TARGET, ruledLabels.path("target").asText(), ruled.alert().toString());
        assertEquals("127.0.0.1:" + agent.port(), ruledLabels.path("instance").asText(), ruled.alert().toString());

        JsonNode promAlert = await("Prometheus /api/v1/alerts shows " + FAILED + " firing", () -> prometheusAlerts().stream()
                .filter(a -> "firing".equals(a.path("state").asText()))
                .filter(a -> FAILED.equals(a.path("labels").path("alertname").asText()))
                .filter(a -> TARGET.equals(a.path("labels").path("target").asText()))
                .findFirst(), () -> prometheusAlerts().toString());
        assertEquals("critical", promAlert.path("labels").path("severity").asText(), promAlert.toString());
        assertEquals(JOB, promAlert.path("labels").path("job").asText(), promAlert.toString());
        assertTrue(promAlert.path("annotations").path("description").asText().contains(operationId), promAlert.toString());

        // (a) the agent's webhooks: a Rocket.Chat message and a json state_change event
        WebhookRecorder.Received rcMessage = await("a rocketchat-format message about the failure", () -> hooks.on(RC_HOOK).stream()
                .filter(r -> !r.at().isBefore(forced))
                .filter(r -> text(r).contains("*error*") && text(r).contains("importer_import_failed"))
                .findFirst(), () -> hooks.on(RC_HOOK).toString());
        JsonNode rcBody = json.readTree(rcMessage.body());
        assertTrue(rcBody.path("text").isTextual(), rcMessage.body());
        assertTrue(rcBody.path("text").asText().contains(TARGET), rcMessage.body());

        WebhookRecorder.Received event = await("a json state_change event to error", () -> hooks.on(JSON_HOOK).stream()
                .filter(r -> !r.at().isBefore(forced))
                .filter(r -> {
                    JsonNode e = parse(r.body());
                    return "state_change".equals(e.path("kind").asText()) && "error".equals(e.path("to").asText());
                })
                .findFirst(), () -> hooks.on(JSON_HOOK).toString());
        JsonNode eventBody = json.readTree(event.body());
        assertEquals(TARGET, eventBody.path("target").asText(), event.body());
        assertEquals("importing", eventBody.path("from").asText(), event.body());
        assertEquals("importer_import_failed", eventBody.path("status").asText(), event.body());
        assertEquals(operationId, eventBody.path("operation_id").asText(), event.body());

        Duration pushLatency = Duration.between(forced, pushed.at());
        Duration ruleLatency = Duration.between(forced, ruled.at());
        Duration rcLatency = Duration.between(forced, rcMessage.at());
        Duration jsonLatency = Duration.between(forced, event.at());
        writeLatency("""
                # failure forced at the fake -> first Alertmanager webhook notification carrying the alert
                # (poll 1s, scrape 1s, evaluation 1s, Alertmanager group_wait 1s / group_interval 1s)
                failed_agent_push_ms=%d
                failed_prometheus_rule_ms=%d
                # failure forced at the fake -> the agent's own webhooks (no Alertmanager)
                failed_webhook_rocketchat_ms=%d
                failed_webhook_json_ms=%d
                """.formatted(pushLatency.toMillis(), ruleLatency.toMillis(), rcLatency.toMillis(), jsonLatency.toMillis()));
        System.out.printf("delivery latency of %s: agent push -> Alertmanager receiver %d ms, Prometheus rule -> Alertmanager "
                        + "receiver %d ms; agent webhooks: rocketchat %d ms, json %d ms%n",
                FAILED, pushLatency.toMillis(), ruleLatency.toMillis(), rcLatency.toMillis(), jsonLatency.toMillis());
        for (Duration d : List.of(pushLatency, ruleLatency, rcLatency, jsonLatency)) {
            assertTrue(d.compareTo(WAIT) < 0, "delivered within " + WAIT.toSeconds() + " s: " + d);
        }
    }

    // ---- (c) recovery: both alerts resolve -----------------------------------------------

    @Test
    @Order(5)
    void the_alert_resolves_at_alertmanager_when_a_new_healthy_import_starts() throws Exception {
        assertNotNull(failureForcedAt, "needs the failure of the previous test");
        Instant recovered = Instant.now();
        simulation.startNewOperation();

        Notified pushed = awaitNotification("the agent's " + FAILED + " resolved at Alertmanager's receiver", recovered,
                "resolved", a -> !a.path("labels").has("job"));
        Notified ruled = awaitNotification("the rule's " + FAILED + " resolved at Alertmanager's receiver", recovered,
                "resolved", a -> JOB.equals(a.path("labels").path("job").asText()));
        // Both copies share one group (alertname, target): once both ended, the notification itself is resolved.
        WebhookRecorder.Received allResolved = await("a notification with status resolved for " + FAILED, () -> hooks.on(AM_HOOK).stream()
                .filter(r -> !r.at().isBefore(recovered))
                .filter(r -> {
                    JsonNode n = parse(r.body());
                    return "resolved".equals(n.path("status").asText())
                            && FAILED.equals(n.path("groupLabels").path("alertname").asText())
                            && TARGET.equals(n.path("groupLabels").path("target").asText());
                })
                .findFirst(), () -> hooks.on(AM_HOOK).toString());
        for (JsonNode a : parse(allResolved.body()).path("alerts")) {
            assertEquals("resolved", a.path("status").asText(), allResolved.body());
        }

        await("Prometheus no longer shows " + FAILED + " for " + TARGET, () -> prometheusAlerts().stream()
                .noneMatch(a -> FAILED.equals(a.path("labels").path("alertname").asText())
                        && TARGET.equals(a.path("labels").path("target").asText()))
                ? Optional.of(true) : Optional.empty(), () -> prometheusAlerts().toString());

        WebhookRecorder.Received resolvedEvent = await("a json alert_resolved event", () -> hooks.on(JSON_HOOK).stream()
                .filter(r -> !r.at().isBefore(recovered))
                .filter(r -> {
                    JsonNode e = parse(r.body());
                    return "alert_resolved".equals(e.path("kind").asText())
                            && FAILED.equals(e.path("alert").path("alertname").asText());
                })
                .findFirst(), () -> hooks.on(JSON_HOOK).toString());

        writeLatency("""
                # new healthy operation started at the fake -> first Alertmanager webhook notification with the alert resolved
                resolved_agent_push_ms=%d
                resolved_prometheus_rule_ms=%d
                resolved_webhook_json_ms=%d
                """.formatted(Duration.between(recovered, pushed.at()).toMillis(), Duration.between(recovered, ruled.at()).toMillis(),
                Duration.between(recovered, resolvedEvent.at()).toMillis()));
        System.out.printf("resolution latency of %s: agent push %d ms, Prometheus rule %d ms%n", FAILED,
                Duration.between(recovered, pushed.at()).toMillis(), Duration.between(recovered, ruled.at()).toMillis());
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** An Alertmanager webhook notification and the one alert in it that was looked for. */
    // ---- (d) waiting for an admin: info, by both paths ----------------------------------

    @Test
    @Order(6)
    void an_uploaded_file_waiting_for_an_admin_reaches_alertmanager_as_info_by_both_paths() throws Exception {
        Instant forced = Instant.now();
        simulation.startNewOperation();
        simulation.forceStatus("importer_file_loaded");
        simulation.forceStall(); // nothing moves until a person opens the import
        String awaiting = "RocketChatImportAwaitingOperator";

        Notified pushed = awaitNotification("the agent's pushed " + awaiting, awaiting, forced, "firing",
                a -> !a.path("labels").has("job"));
        assertEquals("info", pushed.alert().path("labels").path("severity").asText(), pushed.alert().toString());
        assertTrue(pushed.alert().path("annotations").path("description").asText().contains("open Administration > Import"),
                pushed.alert().toString());
        Notified ruled = awaitNotification("the Prometheus rule's " + awaiting, awaiting, forced, "firing",
                a -> JOB.equals(a.path("labels").path("job").asText()));
        assertEquals("info", ruled.alert().path("labels").path("severity").asText(), ruled.alert().toString());
        assertTrue(ruled.alert().path("annotations").path("description").asText().contains("importer_file_loaded"),
                ruled.alert().toString());
        // both paths link the same runbook: the README's section for the alert
        String runbook = "https://github.com/rcimport/rocketchat-import-exporter/blob/main/README.md#rocketchatimportawaitingoperator";
        assertEquals(runbook, pushed.alert().path("annotations").path("runbook_url").asText(), pushed.alert().toString());
        assertEquals(runbook, ruled.alert().path("annotations").path("runbook_url").asText(), ruled.alert().toString());
        assertEquals("Rocket.Chat import is waiting for an admin.", ruled.alert().path("annotations").path("summary").asText(),
                "the rules' summaries are fixed sentences (mixtool style)");
        assertEquals(0, promQuery("rocketchat_import_stalled{target=\"" + TARGET + "\"} == 1").path("data").path("result").size(),
                "waiting for a person is not a stall");
        simulation.forceRecovery();
    }

    record Notified(WebhookRecorder.Received notification, JsonNode alert) {
        Instant at() {
            return notification.at();
        }
    }

    /** The first notification since {@code since} carrying an alert {@value #FAILED} for {@value #TARGET} with {@code status}. */
    private Notified awaitNotification(String what, Instant since, String status, Predicate<JsonNode> which) {
        return awaitNotification(what, FAILED, since, status, which);
    }

    /** The same for the alert {@code alertname}. */
    private Notified awaitNotification(String what, String alertname, Instant since, String status, Predicate<JsonNode> which) {
        return await(what, () -> {
            for (WebhookRecorder.Received r : hooks.on(AM_HOOK)) {
                if (r.at().isBefore(since)) {
                    continue;
                }
                for (JsonNode a : parse(r.body()).path("alerts")) {
                    JsonNode labels = a.path("labels");
                    if (status.equals(a.path("status").asText()) && alertname.equals(labels.path("alertname").asText())
                            && TARGET.equals(labels.path("target").asText()) && which.test(a)) {
                        return Optional.of(new Notified(r, a));
                    }
                }
            }
            return Optional.empty();
        }, () -> hooks.on(AM_HOOK).toString());
    }

    private void awaitImporting() {
        await("the agent sees the import running", () -> snapshot().state() == ImportState.IMPORTING
                ? Optional.of(true) : Optional.empty(), () -> String.valueOf(snapshot()));
    }

    private TargetSnapshot snapshot() {
        return agent.store().get(TARGET).orElseThrow();
    }

    /** Polls {@code probe} every 250 ms until it has a value; fails after {@link #WAIT} with {@code diagnostics}. */
    private static <T> T await(String what, Callable<Optional<T>> probe, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (true) {
            try {
                Optional<T> value = probe.call();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                String seen;
                try {
                    seen = diagnostics.get();
                } catch (RuntimeException e) {
                    seen = "(diagnostics failed: " + e + ")";
                }
                return fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what
                        + (last == null ? "" : "; last error: " + last) + "\nseen: " + seen);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted waiting for " + what);
            }
        }
    }

    private URI agentUrl() {
        return URI.create("http://127.0.0.1:" + agent.port());
    }

    /** An instant query; the parsed answer whether Prometheus accepted the expression or not. */
    private JsonNode promQuery(String expr) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(prometheus.url().resolve("/api/v1/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body());
    }

    private List<JsonNode> prometheusAlerts() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(prometheus.url().resolve("/api/v1/alerts"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            List<JsonNode> out = new ArrayList<>();
            json.readTree(r.body()).path("data").path("alerts").forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private String text(WebhookRecorder.Received r) {
        return parse(r.body()).path("text").asText("");
    }

    private static void record(Promtool.Result r) throws IOException {
        System.out.println(r);
        Files.writeString(LOGS.resolve("promtool.txt"), r + "\n\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void writeLatency(String lines) throws IOException {
        Files.writeString(LOGS.resolve("latency.txt"), lines, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void saveWebhookTraffic() {
        if (hooks == null) {
            return;
        }
        StringBuilder out = new StringBuilder();
        for (WebhookRecorder.Received r : hooks.all()) {
            out.append(r.at()).append(" POST ").append(r.path()).append('\n').append(r.body()).append("\n\n");
        }
        // Anything else that reached Alertmanager (e.g. a TargetDown from a slow poll on a loaded machine) shows here.
        List<JsonNode> notified = new ArrayList<>();
        hooks.on(AM_HOOK).forEach(r -> parse(r.body()).path("alerts").forEach(notified::add));
        Map<String, Long> seen = notified.stream()
                .map(a -> a.path("labels").path("alertname").asText() + (a.path("labels").has("job") ? " (rule)" : " (agent)")
                        + " " + a.path("status").asText())
                .collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
        System.out.println("alerts in Alertmanager's notifications (alert, times): " + seen);
        try {
            Files.writeString(LOGS.resolve("webhook-requests.log"), out);
        } catch (IOException e) {
            System.err.println("could not save the webhook traffic: " + e);
        }
    }
}
