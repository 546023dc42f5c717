package io.rcimport.exporter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rcimport.exporter.Agent;
import io.rcimport.exporter.Version;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.demo.Fault;
import io.rcimport.exporter.demo.ImportSimulation;
import io.rcimport.exporter.demo.Scenario;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import io.rcimport.exporter.demo.TestRocketChat;
import io.rcimport.exporter.http.ApiServer;
import io.rcimport.exporter.http.StatusJson;
import io.rcimport.exporter.http.hot.MetricsEndpoint;
import io.rcimport.exporter.rocketchat.HttpAnswer;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ResponseClassifier;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.RocketChatFixtures;
import io.rcimport.exporter.testing.TestConfigs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The {@code /} status page in a real browser, as a human watching a migration sees it: Debian's
 * Chromium, headless, driven by Selenium through Debian's chromedriver (nothing is downloaded:
 * both paths are given, so Selenium Manager never runs). The agent runs in-process against two
 * simulated Rocket.Chat servers and a dead address:
 *
 * <ul>
 *   <li>{@code workspace}: the import under test, moved by the simulation (new, importing, stalled,
 *       failed) and then made sick (HTTP 500 until its data goes stale);</li>
 *   <li>{@code archive}: a small import that is done within seconds;</li>
 *   <li>{@code legacy}: nothing listens there ({@code connection_error}, down).</li>
 * </ul>
 *
 * <p>One browser and one import run through the ordered tests. A screenshot of the page mid-import
 * goes to {@code target/browser-it/status-page.png}, and to {@code docs/status-page.png} when
 * {@code -Dscreenshots.update=true}, or when that file is missing outside CI (so CI, which clones
 * fresh, never dirties the tree). Failures save a screenshot and the page text there too.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian's {@code chromium}
 * and {@code chromium-driver}; {@code .ci/run} installs them): skipped without them, failed
 * without them when {@code CI=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageBrowserIT {
    static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
    static final String WORKSPACE = "workspace";
    static final String ARCHIVE = "archive";
    static final String LEGACY = "legacy";
    static final String USER_ID = "browserUserId001";
    static final String AUTH_TOKEN = "browser-token-0123456789";
    /** Upper bound for anything that should take seconds; generous for a loaded 2-core machine. */
    static final Duration WAIT = Duration.ofSeconds(40);
    /** Markup that would run if the page ever wrote a server string as HTML. */
    /** How the page writes ETA and age: "45s", "4m 10s", "2h 3m", "1d 1h". */
    static final String HUMAN_DURATION = "\\d+s|\\d+m \\d+s|\\d+h \\d+m|\\d+d \\d+h";
    static final String HOSTILE = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>";

    static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path OUT = PROJECT.resolve("target/browser-it");
    static final Path DOC_SCREENSHOT = PROJECT.resolve("docs/status-page.png");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String skipReason = "";
    private boolean ready;
    private Path tmp;
    private ImportSimulation simulation;
    private TestRocketChat workspace;
    private TestRocketChat archive;
    private Agent agent;
    private URI agentUrl;
    private ChromeDriverService driverService;
    private WebDriver driver;
    private ApiServer hostileServer;
    private PrometheusMeterRegistry hostileRegistry;
    private Thread stopOnExit;

    // ---- the stack --------------------------------------------------------------------------

    /**
     * The import under test: nothing until the test starts it; then about 3 s through new and
     * ready, and two minutes importing 3000 users (REST API import: no files) at 25 a second, a
     * count write every 2 s; about 1 % fail. Nothing else goes wrong unless forced.
     */
    static Scenario workspaceScenario() {
        return new Scenario(
                Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofHours(1),
                new Scenario.Range(1500, 1500), new Scenario.Range(0, 0), new Scenario.Range(0, 0),
                3000, 25, 10, 100,
                0.01, 0,
                0, 0,
                0, 0, 0, 0,
                Duration.ofMinutes(1));
    }

    /** A small import that is done within a few seconds and stays done. */
    static Scenario archiveScenario() {
        return new Scenario(
                Duration.ZERO, Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofHours(1),
                new Scenario.Range(400, 400), new Scenario.Range(0, 0), new Scenario.Range(0, 0),
                10_000, 2000, 10, 100,
                0.005, 0,
                0, 0,
                0, 0, 0, 0,
                Duration.ofMinutes(1));
    }

    @BeforeAll
    void start() throws Exception {
        Optional<String> missing = missingBinaries();
        if (missing.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + missing.get());
            }
            skipReason = "skipped: " + missing.get();
            System.err.println("StatusPageBrowserIT " + skipReason);
            return;
        }
        Files.createDirectories(OUT);
        tmp = Files.createTempDirectory("rcie-browser-");
        stopOnExit = new Thread(this::stopAll, "browser-it-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);

        simulation = new ImportSimulation(Clock.systemUTC(), new SplittableRandom(20261129), workspaceScenario());
        workspace = TestRocketChat.start(SimulatedRocketChat.builder(simulation).credentials(USER_ID, AUTH_TOKEN));
        archive = TestRocketChat.start(SimulatedRocketChat.builder(new ImportSimulation(Clock.systemUTC(), new SplittableRandom(7),
                        archiveScenario()))
                .credentials(USER_ID, AUTH_TOKEN));

        Config parsed = ConfigLoader.parse("""
                server:
                  host: 127.0.0.1
                poll:
                  interval: 1s
                  timeout: 800ms
                  stale_after: 3s
                  stall_after: 3s
                  awaiting_operator_after: 2s
                  history_interval: 2s
                circuit_breaker:        # stays closed: the sick server must show server_error, not circuit_open
                  failure_rate_threshold: 100
                  window: 100
                  minimum_polls: 100
                targets:
                  - name: %s
                    url: %s
                    user_id: ${RC_USER_ID}
                    auth_token: ${RC_AUTH_TOKEN}
                  - name: %s
                    url: %s
                    user_id: ${RC_USER_ID}
                    auth_token: ${RC_AUTH_TOKEN}
                  - name: %s
                    url: http://127.0.0.1:%d
                    user_id: ${RC_USER_ID}
                    auth_token: ${RC_AUTH_TOKEN}
                """.formatted(WORKSPACE, workspace.url(), ARCHIVE, archive.url(), LEGACY, closedPort()),
                Map.of("RC_USER_ID", USER_ID, "RC_AUTH_TOKEN", AUTH_TOKEN));
        // server.port must be 1-65535 in config.yaml; the agent itself binds port 0 happily.
        Config config = TestConfigs.from(parsed).listenOn(parsed.server().host(), 0).build();
        agent = Agent.start(config, Clock.systemUTC());
        agentUrl = URI.create("http://127.0.0.1:" + agent.port() + "/");

        driver = startBrowser();
        ready = true;
        System.out.printf("browser test: agent=%s workspace=%s archive=%s chromium=%s%n", agentUrl, workspace.url(), archive.url(),
                ((ChromeDriver) driver).getCapabilities().getBrowserVersion());
    }

    static Optional<String> missingBinaries() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) {
            missing.add(CHROMIUM + " (Debian package chromium)");
        }
        if (!Files.isExecutable(CHROMEDRIVER)) {
            missing.add(CHROMEDRIVER + " (Debian package chromium-driver)");
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("the browser test needs " + String.join(" and ", missing) + "; .ci/run installs them");
    }

    /** Debian's Chromium and chromedriver, headless; nothing downloaded, nothing phoned home. */
    private WebDriver startBrowser() throws IOException {
        // Selenium Manager is skipped when both paths are given; should it run anyway, it gets these
        // (SE_* system properties are passed to it) and stays offline, without statistics.
        System.setProperty("SE_AVOID_STATS", "true");
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("SE_CACHE_PATH", tmp.resolve("selenium-cache").toString());
        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(OUT.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                // Without these Chromium tries to reach Google's servers, which are refused here.
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")),
                "--window-size=1360,900", "--force-device-scale-factor=1", "--lang=en-US");
        WebDriver d = new ChromeDriver(driverService, options);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return d;
    }

    @BeforeEach
    void skipWithoutTheBrowser() {
        Assumptions.assumeTrue(ready, skipReason);
    }

    @AfterAll
    void stop() {
        stopAll();
        if (stopOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
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

    /** Browser first, then the servers; each step runs even if an earlier one throws. */
    private synchronized void stopAll() {
        List<AutoCloseable> all = new ArrayList<>();
        if (driver != null) {
            WebDriver d = driver;
            all.add(d::quit);
        }
        if (driverService != null) {
            ChromeDriverService s = driverService;
            all.add(s::stop);
        }
        Stream.of(hostileServer, agent, workspace, archive).filter(c -> c != null).forEach(all::add);
        if (hostileRegistry != null) {
            PrometheusMeterRegistry r = hostileRegistry;
            all.add(r::close);
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("stopping " + c + ": " + e);
            }
        }
        driver = null;
        driverService = null;
        hostileServer = null;
        hostileRegistry = null;
        agent = null;
        workspace = null;
        archive = null;
    }

    // ---- what a human sees --------------------------------------------------------------------

    @Test
    @Order(1)
    void the_page_shows_the_header_and_every_target_before_the_import_starts() {
        driver.get(agentUrl.toString());
        assertEquals("Rocket.Chat import status", driver.getTitle());

        await("workspace in state none (no import yet)", d -> "none".equals(state(WORKSPACE)));
        await("archive done at 100 %", d -> "done".equals(state(ARCHIVE)) && "100.0 %".equals(text(cell(ARCHIVE, ".pct"))));
        await("legacy down with connection_error", d -> cell(LEGACY, ".flag-down").isDisplayed()
                && "connection_error".equals(text(cell(LEGACY, ".error-outcome"))));
        await("the header counts 3 targets, 2 up, 0 importing, 0 failed", d -> "3".equals(byId("count-targets"))
                && "2".equals(byId("count-up")) && "0".equals(byId("count-importing")) && "0".equals(byId("count-failed")));

        assertEquals("version " + Version.current(), byId("version"));
        assertEquals("Live, refreshing every 2 s", byId("refresh-status"));
        assertEquals("polite", driver.findElement(By.id("refresh-status")).getDomAttribute("aria-live"));
        assertTrue(byId("last-refresh").matches("\\d\\d:\\d\\d:\\d\\d"), "last refresh time: " + byId("last-refresh"));
        assertFalse(driver.findElement(By.id("connection-lost")).isDisplayed(), "no connection-lost banner while connected");

        WebElement row = row(WORKSPACE);
        assertEquals("target-" + WORKSPACE, row.getDomAttribute("id"));
        assertEquals("–", text(cell(WORKSPACE, ".status-text")), "no operation yet");
        assertEquals("–", text(cell(WORKSPACE, ".pct")), "no progress without a total");
        assertEquals("–", text(cell(WORKSPACE, ".completed")));
        assertFalse(cell(WORKSPACE, ".flag-stalled").isDisplayed());
        assertFalse(cell(WORKSPACE, ".flag-stale").isDisplayed());
        assertFalse(cell(WORKSPACE, ".flag-down").isDisplayed());
        assertEquals("closed", text(cell(WORKSPACE, ".col-breaker")));
        // legacy never answered: no data, its error says why, and its TargetDown alert shows once stale.
        assertEquals("no data yet", text(cell(LEGACY, ".age")));
        assertFalse(text(cell(LEGACY, ".error-message")).isBlank());
        await("legacy's RocketChatImportTargetDown alert cue", d -> alerts(LEGACY).contains("RocketChatImportTargetDown"));
        assertTrue(text(cell(LEGACY, ".alerts")).contains("TargetDown · warning"), text(cell(LEGACY, ".alerts")));
    }

    @Test
    @Order(2)
    void the_state_goes_from_new_to_importing_as_the_import_starts() {
        simulation.startNewOperation();
        simulation.forceStall(); // hold it at "new" until the page has shown it
        await("workspace in state new", d -> "new".equals(state(WORKSPACE)));
        assertEquals("importer_new", cell(WORKSPACE, ".status-text").getDomAttribute("data-status"));
        assertEquals("new", text(cell(WORKSPACE, ".status-text")), "the step without the importer_ prefix");
        assertEquals("valid", text(cell(WORKSPACE, ".flag-valid")));
        assertFalse(cell(WORKSPACE, ".flag-stalled").isDisplayed(), "new is not a state that can stall");

        Set<String> seen = new LinkedHashSet<>(List.of("new"));
        simulation.forceRecovery();
        await("workspace in state importing", d -> {
            String shown = state(WORKSPACE); // read once: a second read could see the next state unrecorded
            seen.add(shown);
            return "importing".equals(shown);
        });
        System.out.println("states the page showed for " + WORKSPACE + ": " + seen);
        assertEquals("importing", List.copyOf(seen).get(seen.size() - 1));
        assertTrue(cell(WORKSPACE, ".state-badge").getDomAttribute("class").contains("state-importing"));
        await("the header counts 1 importing", d -> "1".equals(byId("count-importing")));
    }

    @Test
    @Order(3)
    void progress_bar_percent_and_completed_count_grow_while_importing() {
        await("the first records completed", d -> completed(WORKSPACE) > 0 && percent(WORKSPACE) > 0);
        double percent = percent(WORKSPACE);
        long completed = completed(WORKSPACE);
        int width = barWidth(WORKSPACE);
        assertEquals("3,000", text(cell(WORKSPACE, ".total")));

        await("percent, bar and completed count grow past " + percent + " %, " + width + " px, " + completed,
                d -> percent(WORKSPACE) > percent && completed(WORKSPACE) > completed && barWidth(WORKSPACE) > width);
        WebElement bar = cell(WORKSPACE, ".bar");
        assertEquals("progressbar", bar.getDomAttribute("role"));
        String now = bar.getDomAttribute("aria-valuenow");
        assertTrue(now != null && Double.parseDouble(now) > 0, "aria-valuenow: " + now);
        System.out.printf("progress grew: %.1f %% -> %.1f %%, bar %d px -> %d px, completed %d -> %d%n",
                percent, percent(WORKSPACE), width, barWidth(WORKSPACE), completed, completed(WORKSPACE));
    }

    @Test
    @Order(4)
    void rate_and_a_human_eta_appear_and_the_page_is_photographed_mid_import() throws Exception {
        // The agent measures the rate over at least 10 s of history; by 10 % the picture shows a bar.
        await("a rate in records per second, an ETA like 4m 10s, and 10 % done", d ->
                text(cell(WORKSPACE, ".col-rate")).matches("\\d+(\\.\\d)? rec/s")
                        && text(cell(WORKSPACE, ".col-eta")).matches(HUMAN_DURATION)
                        && percent(WORKSPACE) >= 10);
        assertEquals(List.of("4m 10s", "2h 3m", "45s", "1d 1h", "–"), ((JavascriptExecutor) driver).executeScript(
                "return [human(250), human(7385), human(45), human(90061), human(null)];"), "the page's duration format");
        System.out.println("mid-import: rate " + text(cell(WORKSPACE, ".col-rate")) + ", ETA " + text(cell(WORKSPACE, ".col-eta")));
        String rate = text(cell(WORKSPACE, ".col-rate"));
        assertTrue(Double.parseDouble(rate.replace(" rec/s", "")) > 0, rate);
        assertEquals("importing", state(WORKSPACE));
        Thread.sleep(1000); // let the bar's width transition finish: the picture is for humans
        saveScreenshot();
    }

    @Test
    @Order(5)
    void a_stall_shows_the_stalled_flag_until_the_import_moves_again() {
        simulation.forceStall();
        await("the STALLED flag and its alert", d -> cell(WORKSPACE, ".flag-stalled").isDisplayed()
                && alerts(WORKSPACE).contains("RocketChatImportStalled"));
        assertEquals("true", row(WORKSPACE).getDomAttribute("data-stalled"));
        assertTrue(text(cell(WORKSPACE, ".flag-stalled")).toLowerCase().contains("stalled"));

        simulation.forceRecovery();
        await("the stalled flag gone once counts move again", d -> !cell(WORKSPACE, ".flag-stalled").isDisplayed()
                && !alerts(WORKSPACE).contains("RocketChatImportStalled"));
    }

    @Test
    @Order(6)
    void a_failed_import_shows_state_error_styled_as_an_error_with_its_alert() {
        simulation.forceFailure();
        await("workspace in state error", d -> "error".equals(state(WORKSPACE)));
        WebElement badge = cell(WORKSPACE, ".state-badge");
        assertTrue(badge.getDomAttribute("class").contains("state-error"), badge.getDomAttribute("class"));
        assertRed(badge.getCssValue("background-color"), "the error badge");
        assertEquals("importer_import_failed", cell(WORKSPACE, ".status-text").getDomAttribute("data-status"));
        assertEquals("import failed", text(cell(WORKSPACE, ".status-text")));
        await("the RocketChatImportFailed alert cue, critical", d -> alerts(WORKSPACE).contains("RocketChatImportFailed"));
        WebElement cue = cell(WORKSPACE, ".alert[data-alertname='RocketChatImportFailed']");
        assertEquals("⚠ Failed · critical", text(cue));
        assertTrue(cue.isDisplayed());
        assertRed(cue.getCssValue("color"), "the critical alert cue");
        assertTrue(row(WORKSPACE).getDomAttribute("class").contains("alerting"), "the row is marked: " + row(WORKSPACE).getDomAttribute("class"));
        await("the header counts 1 failed, highlighted", d -> "1".equals(byId("count-failed"))
                && driver.findElement(By.id("sum-failed")).getDomAttribute("class").contains("nonzero"));
        assertRed(driver.findElement(By.id("sum-failed")).getCssValue("color"), "the failed count");
    }

    @Test
    @Order(7)
    void a_sick_server_makes_the_data_stale_and_shows_server_error_with_its_message_as_text() {
        workspace.setFault(new Fault.Status(500, "application/json", "{\"success\":false,\"error\":\"" + HOSTILE + "\"}"));
        await("the stale marker and last error server_error", d -> cell(WORKSPACE, ".flag-stale").isDisplayed()
                && "server_error".equals(text(cell(WORKSPACE, ".error-outcome"))));
        assertEquals("true", row(WORKSPACE).getDomAttribute("data-stale"));
        assertTrue(cell(WORKSPACE, ".flag-down").isDisplayed(), "down once stale");
        assertEquals("error", state(WORKSPACE), "the last known state stays, marked stale");
        String message = text(cell(WORKSPACE, ".error-message"));
        assertEquals("HTTP 500: " + HOSTILE, message, "the server's message, as text");
        assertNothingInjected();
        workspace.setFault(new Fault.None());
    }

    @Test
    @Order(10)
    void hostile_target_names_statuses_and_messages_render_as_text() throws Exception {
        // Config allows only [a-zA-Z0-9_-] names; the page must not rely on it.
        String name = "x\"'><svg onload=window.__pwned=3>" + HOSTILE;
        String status = "importer_<b>bold</b>" + HOSTILE;
        Clock clock = Clock.systemUTC();
        StatusStore store = new StatusStore(List.of(name), clock, Duration.ofMinutes(10));
        String body = RocketChatFixtures.text("status-importing-slack.json")
                .replace("\"importer_importing_messages\"", "\"" + status.replace("\"", "\\\"") + "\"");
        store.update(name, ResponseClassifier.classify(new HttpAnswer(200, "application/json", body.getBytes(StandardCharsets.UTF_8),
                false, OptionalLong.empty(), Optional.empty()), 1 << 20, clock.instant()));
        store.update(name, new PollResult.Failure(Outcome.SERVER_ERROR, "HTTP 500: " + HOSTILE, Optional.empty(), OptionalLong.empty()));
        hostileRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        hostileServer = ApiServer.serving(store, new StatusJson(Duration.ofMinutes(1), n -> "closed"), clock,
                        "1.0<script>window.__pwned=4</script>")
                .metrics(MetricsEndpoint.uncached(hostileRegistry.getPrometheusRegistry())).start("127.0.0.1", 0);

        driver.get("http://127.0.0.1:" + hostileServer.port() + "/");
        WebElement row = await("the hostile target's row", d -> rows().stream()
                .filter(r -> name.equals(r.getDomAttribute("data-target"))).findFirst().orElse(null));
        assertEquals("target-" + name, row.getDomAttribute("id"));
        assertEquals(name, text(row.findElement(By.cssSelector(".target-name"))));
        String href = row.findElement(By.cssSelector(".target-name")).getDomAttribute("href");
        assertTrue(href.startsWith("status/") && !href.matches(".*[<>\" ].*"), "the link is encoded: " + href);
        assertEquals(name, URLDecoder.decode(href.substring("status/".length()), StandardCharsets.UTF_8));
        assertEquals(status, row.findElement(By.cssSelector(".status-text")).getDomAttribute("data-status"));
        assertEquals(status.replaceFirst("^importer_", "").replace('_', ' '), text(row.findElement(By.cssSelector(".status-text"))));
        assertEquals("HTTP 500: " + HOSTILE, text(row.findElement(By.cssSelector(".error-message"))));
        assertEquals("version 1.0<script>window.__pwned=4</script>", byId("version"));
        assertNothingInjected();
        assertTrue(driver.findElements(By.cssSelector("#rows svg, #rows b")).isEmpty(), "no element made from a server string");
    }

    @Test
    @Order(8)
    void a_file_waiting_for_an_admin_shows_what_to_do_and_is_never_called_stalled() throws Exception {
        simulation.startNewOperation();
        simulation.forceStatus("importer_file_loaded");
        simulation.forceStall(); // _updatedAt freezes: nothing moves until a person acts
        await("the waiting flag, its cue and its info alert", d -> cell(WORKSPACE, ".flag-awaiting").isDisplayed()
                && alerts(WORKSPACE).contains("RocketChatImportAwaitingOperator"));
        assertEquals("true", row(WORKSPACE).getDomAttribute("data-awaiting-operator"));
        assertTrue(text(cell(WORKSPACE, ".cue")).startsWith("Waiting for an admin: open Administration > Import and"),
                text(cell(WORKSPACE, ".cue")));
        WebElement cue = cell(WORKSPACE, ".alert[data-alertname='RocketChatImportAwaitingOperator']");
        assertEquals("⚠ AwaitingOperator · info", text(cue));
        Thread.sleep(4000); // past stall_after (3s) with the heartbeat frozen
        assertFalse(cell(WORKSPACE, ".flag-stalled").isDisplayed(), "waiting for a person is not a stall");
        assertEquals("false", row(WORKSPACE).getDomAttribute("data-stalled"));
        assertFalse(alerts(WORKSPACE).contains("RocketChatImportStalled"));
        simulation.forceFailure(); // the workspace ends in error, as the failure test left it for the tests after these
        await("workspace in state error again", d -> "error".equals(state(WORKSPACE)));
    }

    @Test
    @Order(9)
    void recent_imports_list_the_targets_operations_newest_first() {
        row(WORKSPACE).findElement(By.cssSelector(".recent summary")).click();
        await("the recent operations", d -> row(WORKSPACE).findElements(By.cssSelector(".recent-op")).size() >= 2);
        List<WebElement> ops = row(WORKSPACE).findElements(By.cssSelector(".recent-op"));
        String current = (String) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch('status/' + encodeURIComponent(arguments[0])).then(r => r.json()).then(t => done(t.operation.id));",
                WORKSPACE);
        assertEquals(current, ops.get(0).getDomAttribute("data-operation-id"), "newest first");
        for (WebElement op : ops) {
            assertTrue(text(op).matches(".+ · [a-z]+ · [\\d,–]+ records · [\\d,–]+ failures · .+"), text(op));
        }
        assertTrue(ops.stream().anyMatch(op -> text(op).contains(" · error · ")), "the failed one of test 6 is listed");
    }

    @Test
    @Order(20)
    void the_connection_lost_banner_shows_when_the_agent_stops() {
        driver.get(agentUrl.toString());
        await("the page live again", d -> "Live, refreshing every 2 s".equals(byId("refresh-status")) && rows().size() == 3);
        assertFalse(driver.findElement(By.id("connection-lost")).isDisplayed());

        Agent stopping = agent;
        agent = null;
        stopping.close();
        await("the connection-lost banner", d -> driver.findElement(By.id("connection-lost")).isDisplayed());
        assertEquals("Connection lost", byId("refresh-status"));
        assertEquals("alert", driver.findElement(By.id("connection-lost")).getDomAttribute("role"));
        assertTrue(text(driver.findElement(By.id("connection-lost"))).startsWith("Connection lost: cannot fetch status"),
                text(driver.findElement(By.id("connection-lost"))));
        assertEquals(3, rows().size(), "the last data received stays on the page");
        assertEquals("error", state(WORKSPACE));
    }

    // ---- reading the page ------------------------------------------------------------------------

    private List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#rows tr.target-row"));
    }

    private WebElement row(String target) {
        return driver.findElement(By.cssSelector("tr[data-target='" + target + "']"));
    }

    private WebElement cell(String target, String css) {
        return row(target).findElement(By.cssSelector(css));
    }

    /** The text as written, not as CSS renders it (the state badge is upper-cased on screen). */
    private static String text(WebElement e) {
        String t = e.getDomProperty("textContent");
        return t == null ? "" : t.trim();
    }

    /** The alertnames of the target's alert cues. */
    private List<String> alerts(String target) {
        return row(target).findElements(By.cssSelector(".alerts .alert")).stream().map(e -> e.getDomAttribute("data-alertname")).toList();
    }

    private String byId(String id) {
        return text(driver.findElement(By.id(id)));
    }

    private String state(String target) {
        return text(cell(target, ".state-badge"));
    }

    private double percent(String target) {
        String t = text(cell(target, ".pct"));
        return t.endsWith("%") ? Double.parseDouble(t.replace("%", "").trim()) : -1;
    }

    private long completed(String target) {
        String digits = text(cell(target, ".completed")).replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }

    /** The rendered width of the bar's fill, in CSS pixels. */
    private int barWidth(String target) {
        return cell(target, ".bar-fill").getRect().getWidth();
    }

    private void assertNothingInjected() {
        Object pwned = ((JavascriptExecutor) driver).executeScript("return window.__pwned === undefined ? null : String(window.__pwned);");
        assertEquals(null, pwned, "a server string ran as script");
        assertTrue(driver.findElements(By.cssSelector("#rows img, #rows script, #rows svg")).isEmpty(), "markup from a server string");
    }

    private static void assertRed(String cssColor, String what) {
        Matcher m = Pattern.compile("rgba?\\((\\d+), (\\d+), (\\d+)").matcher(cssColor);
        assertTrue(m.find(), what + ": " + cssColor);
        int r = Integer.parseInt(m.group(1));
        int g = Integer.parseInt(m.group(2));
        int b = Integer.parseInt(m.group(3));
        assertTrue(r > 150 && g < 90 && b < 90, what + " is red: " + cssColor);
    }

    /** Polls {@code condition} until it is true (or non-null); on time-out saves a screenshot and fails with what the page showed. */
    private <T> T await(String what, Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, WAIT, Duration.ofMillis(200))
                    .ignoring(NoSuchElementException.class)
                    .ignoring(StaleElementReferenceException.class)
                    .ignoring(NumberFormatException.class)
                    .until(condition);
        } catch (TimeoutException e) {
            String file = "failure-" + what.replaceAll("[^a-zA-Z0-9]+", "-") + ".png";
            String page;
            try {
                Files.write(OUT.resolve(file), ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
                page = text(driver.findElement(By.tagName("body")));
            } catch (Exception ex) {
                page = "(page unreadable: " + ex + ")";
            }
            return fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what + " (screenshot target/browser-it/" + file
                    + ")\npage: " + page.replaceAll("\\s+", " ") + "\n/status: " + statusJson(), e);
        }
    }

    private String statusJson() {
        if (agent == null) {
            return "(agent stopped)";
        }
        try {
            return http.send(HttpRequest.newBuilder(agentUrl.resolve("status")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "(" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /**
     * The page mid-import to {@code target/browser-it/}; to {@code docs/} only when asked
     * ({@code -Dscreenshots.update=true}) or when the committed one is missing outside CI.
     */
    private void saveScreenshot() throws IOException {
        byte[] png = driver.findElement(By.tagName("body")).getScreenshotAs(OutputType.BYTES);
        Path out = OUT.resolve("status-page.png");
        Files.write(out, png);
        boolean asked = Boolean.getBoolean("screenshots.update");
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (asked || (!ci && !Files.exists(DOC_SCREENSHOT))) {
            Files.createDirectories(DOC_SCREENSHOT.getParent());
            Files.write(DOC_SCREENSHOT, png);
            System.out.println("status page screenshot written to " + DOC_SCREENSHOT);
        } else {
            System.out.println("status page screenshot written to " + out + " (docs/ left alone; -Dscreenshots.update=true replaces it)");
        }
    }

    /** A port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
