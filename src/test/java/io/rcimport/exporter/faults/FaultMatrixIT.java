package io.rcimport.exporter.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.Agent;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.demo.Fault;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.testing.LogCapture;
import io.rcimport.exporter.testing.MetricsText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix: for every way a Rocket.Chat server or the network between can fail, one
 * agent polls one server that fails that way for at least {@value #POLLS_UNDER_FAULT} polls,
 * then recovers. For each fault:
 * <ol>
 *   <li>the right outcome is counted in {@code rocketchat_import_polls_total{target,outcome}} (scraped over HTTP),
 *       and no poll succeeds while it lasts;</li>
 *   <li>{@code /metrics}, {@code /status} and {@code /health} answer 200 within {@link #ENDPOINT_BOUND} throughout;</li>
 *   <li>memory stays bounded (measured where it can be: the 64 MiB body runs alone, and the
 *       forwarder in front of it counts how much of the body the agent read);</li>
 *   <li>no thread leaks: the agent's threads (all created inside a thread group of their own)
 *       are back at their steady-state count once the fault is over, and none named
 *       {@code rcie-*} is left after {@link Agent#stop};</li>
 *   <li>after the fault clears, a good poll follows within one interval (plus the breaker's
 *       {@code open_for} and any rate-limit wait the server asked for);</li>
 *   <li>the persistent fault logs one line per outcome change for the target, not one per poll.</li>
 * </ol>
 * The faults run {@value #PARALLEL} at a time (each with its own agent and server, so they
 * cannot disturb each other's numbers); the 64 MiB body runs alone first, so that the heap
 * measurement sees only it. A table of what was observed is printed at the end and written to
 * {@code target/fault-matrix.md}.
 */
class FaultMatrixIT {
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofMillis(800);
    static final Duration STALE_AFTER = Duration.ofSeconds(3);
    static final Duration OPEN_FOR = Duration.ofSeconds(2);
    static final int POLLS_UNDER_FAULT = 10;
    static final int PARALLEL = 5;
    static final Duration ENDPOINT_BOUND = Duration.ofSeconds(2);
    /** Slack on top of the documented recovery time, for a loaded 2-core machine. */
    static final Duration RECOVERY_SLACK = Duration.ofSeconds(3);
    static final int THREAD_SLACK = 3;
    static final long MIB = 1024 * 1024;
    static final long HEAP_GROWTH_BOUND = 32 * MIB;
    static final long BODY_CAP = 1 * MIB;
    static final String USER_ID = "demo-user";
    static final String AUTH_TOKEN = "demo-token";
    private static final List<String> ENDPOINTS = List.of("/metrics", "/status", "/health");

    private static LogCapture logs;
    private static HttpClient http;
    private static final Map<String, CompletableFuture<Result>> RESULTS = new ConcurrentHashMap<>();
    private static long startedAt;

    /** One fault of the matrix. */
    record Case(String name, Outcome expected, Supplier<FaultyServer> server, boolean alone, Duration rateLimitWait) {
        @Override
        public String toString() {
            return name;
        }

        /** The documented bound: one interval (or the rate-limit wait), plus open_for if the breaker opens, plus one poll. */
        Duration recoveryBound() {
            Duration wait = rateLimitWait.compareTo(INTERVAL) > 0 ? rateLimitWait : INTERVAL;
            Duration bound = wait.plus(TIMEOUT).plusMillis(250);
            return expected.isServerFault() ? bound.plus(OPEN_FOR) : bound;
        }
    }

    static Case sim(String name, Fault fault, Outcome expected) {
        return new Case(name, expected, () -> FaultyServer.simulated(fault, false), false, Duration.ZERO);
    }

    static Case rateLimited(String name, Fault.RateLimited fault) {
        return new Case(name, Outcome.RATE_LIMITED, () -> FaultyServer.simulated(fault, false), false, fault.retryAfter());
    }

    /** Every fault, or (for a quick run) those named in {@code -Dfaults.only=a,b}. */
    static Stream<Case> faults() {
        String only = System.getProperty("faults.only", "");
        return only.isBlank() ? allFaults() : allFaults().filter(c -> List.of(only.split(",")).contains(c.name()));
    }

    private static Stream<Case> allFaults() {
        return Stream.of(
                new Case("body_64_mib", Outcome.INVALID_RESPONSE, () -> FaultyServer.simulated(Fault.hugeBody(64), true), true, Duration.ZERO),
                sim("http_500_html", Fault.internalServerErrorHtml(), Outcome.SERVER_ERROR),
                sim("http_502_html", Fault.badGateway(), Outcome.SERVER_ERROR),
                sim("http_503_html", Fault.serviceUnavailable(), Outcome.SERVER_ERROR),
                sim("http_404_html", Fault.notFoundHtml(), Outcome.NOT_FOUND),
                sim("http_401_6x_body", Fault.unauthorized6x(), Outcome.UNAUTHORIZED),
                sim("http_401_7x_body", Fault.unauthorized7x(), Outcome.UNAUTHORIZED),
                sim("http_403", Fault.forbidden(), Outcome.FORBIDDEN),
                rateLimited("http_429_with_reset_header", new Fault.RateLimited(429, Duration.ofMillis(1500), true)),
                rateLimited("http_429_without_headers", new Fault.RateLimited(429, Duration.ofSeconds(1), false)),
                rateLimited("http_400_too_many_requests", new Fault.RateLimited(400, Duration.ofSeconds(1), false)),
                sim("truncated_json", Fault.truncatedJson(), Outcome.INVALID_RESPONSE),
                sim("non_json_200", Fault.notJson(), Outcome.INVALID_RESPONSE),
                sim("json_wrong_types", Fault.wrongTypes(), Outcome.INVALID_RESPONSE),
                sim("trickle_1_byte_per_s", Fault.slowTrickle(), Outcome.TIMEOUT),
                sim("accepts_never_answers", Fault.hang(), Outcome.TIMEOUT),
                sim("connection_cut_mid_body", Fault.droppedConnection(), Outcome.CONNECTION_ERROR),
                new Case("connection_reset", Outcome.CONNECTION_ERROR, FaultyServer::resettingConnections, false, Duration.ZERO),
                new Case("connection_refused", Outcome.CONNECTION_ERROR, FaultyServer::refusing, false, Duration.ZERO),
                new Case("dns_failure", Outcome.CONNECTION_ERROR, FaultyServer::unresolvableHost, false, Duration.ZERO),
                new Case("tls_handshake_failure", Outcome.CONNECTION_ERROR, FaultyServer::tlsHandshakeFailing, false, Duration.ZERO));
    }

    // ---- running the matrix -------------------------------------------------------------------

    @BeforeAll
    static void runMatrix() {
        startedAt = System.nanoTime();
        logs = LogCapture.start(false);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        warmSharedJdkThreads();
        List<Case> all = faults().toList();
        // Alone first: the heap measurement must see this fault only.
        for (Case c : all.stream().filter(Case::alone).toList()) {
            RESULTS.put(c.name(), CompletableFuture.completedFuture(Result.of(() -> new Scenario(c).run())));
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "fault-matrix-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (Case c : all.stream().filter(c -> !c.alone()).toList()) {
            RESULTS.put(c.name(), CompletableFuture.supplyAsync(() -> Result.of(() -> new Scenario(c).run()), pool));
        }
        pool.shutdown();
    }

    /**
     * JDK-wide threads that start lazily on first use (CompletableFuture's timeout scheduler)
     * would otherwise start inside the first agent's thread group and count as its own.
     */
    private static void warmSharedJdkThreads() {
        CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS).execute(() -> { });
        new CompletableFuture<Void>().completeOnTimeout(null, 1, TimeUnit.MILLISECONDS).join();
    }

    @AfterAll
    static void report() throws IOException {
        try {
            List<String> rcieThreads = new ArrayList<>();
            waitFor(Duration.ofSeconds(10), () -> {
                rcieThreads.clear();
                Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("rcie-"))
                        .forEach(t -> rcieThreads.add(t.getName()));
                return rcieThreads.isEmpty();
            });
            // The JDK's HttpClient (Java 17 has no close()) ends its selector thread once the
            // client is garbage: if one stays, something still holds a stopped agent.
            List<String> agentThreads = new ArrayList<>();
            waitFor(Duration.ofSeconds(15), () -> {
                System.gc();
                agentThreads.clear();
                Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getThreadGroup() != null && t.getThreadGroup().getName().startsWith("agent-"))
                        .forEach(t -> agentThreads.add(t.getThreadGroup().getName() + "/" + t.getName()));
                return agentThreads.isEmpty();
            });
            String table = table(faults().toList(), (System.nanoTime() - startedAt) / 1e9)
                    + "\nThreads of stopped agents still alive after GC: " + (agentThreads.isEmpty() ? "none" : agentThreads) + "\n";
            System.out.println(table);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/fault-matrix.md"), table);
            assertTrue(rcieThreads.isEmpty(), "no rcie-* thread is left once every agent stopped: " + rcieThreads);
            assertTrue(agentThreads.isEmpty(), "no thread of a stopped agent outlives it (once it is garbage): " + agentThreads);
        } finally {
            logs.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void the_agent_survives(Case c) throws Exception {
        Result result = RESULTS.get(c.name()).get(5, TimeUnit.MINUTES);
        if (result.error() != null) {
            throw new AssertionError(c + ": " + result.error(), result.error());
        }
        Row r = result.row();

        // (1) the right outcome is counted, and nothing succeeds while the fault lasts
        assertTrue(r.outcomes().getOrDefault(c.expected().label(), 0L) >= 1,
                c + ": polls_total{outcome=\"" + c.expected().label() + "\"} counted; counted " + r.outcomes());
        assertTrue(r.pollsUnderFault() >= POLLS_UNDER_FAULT, c + ": at least " + POLLS_UNDER_FAULT + " polls under the fault, got " + r.pollsUnderFault());
        // (a poll that began before the fault may still end well: the store says none did after the first failure)
        assertEquals(0, r.successDuringFault(), c + ": no good poll after the first failed one");
        // Nothing else, but circuit_open, and one timeout a loaded machine may cause on its own.
        r.outcomes().forEach((outcome, count) -> assertTrue(outcome.equals(c.expected().label()) || outcome.equals("circuit_open")
                        || outcome.equals("success") || (outcome.equals("timeout") && count == 1),
                c + ": only " + c.expected().label() + " (and circuit_open) while the fault lasts, got " + r.outcomes()));

        // (2) the endpoints answer throughout
        assertTrue(r.endpointProblems().isEmpty(), c + ": endpoints answered 200 throughout: " + r.endpointProblems());
        assertTrue(r.endpointSamples() >= 3, c + ": measured a few requests per endpoint, got " + r.endpointSamples());
        for (String path : ENDPOINTS) {
            Duration max = r.maxLatency().get(path);
            assertTrue(max.compareTo(ENDPOINT_BOUND) <= 0, c + ": " + path + " answered within " + ENDPOINT_BOUND + ", slowest " + max);
        }

        // (3) memory: a body never grows past the cap; the 64 MiB body is not read, let alone kept
        if (c.alone()) {
            assertTrue(r.heapGrowth() < HEAP_GROWTH_BOUND, c + ": heap grew by " + mib(r.heapGrowth()) + " MiB");
            assertTrue(r.maxBytesPerConnection() > 0 && r.maxBytesPerConnection() < 32 * MIB,
                    c + ": the agent stopped reading after the cap; one connection carried " + mib(r.maxBytesPerConnection()) + " MiB");
            assertTrue(r.lastErrorMessage().contains("larger than " + BODY_CAP + " bytes"),
                    c + ": the poll failed at the body cap: " + r.lastErrorMessage());
        }

        // (4) no thread leak
        assertTrue(r.threadsAfter() <= r.threadBaseline() + THREAD_SLACK, c + ": agent threads " + r.threadBaseline()
                + " before the fault, " + r.threadsAfter() + " after it cleared: " + r.threadNamesAfter());
        assertTrue(r.rcieThreadsAfterStop().isEmpty(), c + ": rcie-* threads left after stop: " + r.rcieThreadsAfterStop());

        // (5) recovery
        Duration bound = c.recoveryBound().plus(RECOVERY_SLACK);
        assertTrue(r.recovery().compareTo(bound) <= 0, c + ": a good poll within " + bound + " of the fault clearing, took " + r.recovery());

        // (6) log volume: one line per outcome change, not one per poll
        long distinctFailures = r.outcomes().keySet().stream().filter(o -> !o.equals("success")).count();
        assertTrue(r.pollLogLines().size() <= distinctFailures && r.pollLogLines().size() <= 3,
                c + ": " + r.pollsUnderFault() + " failed polls with outcomes " + r.outcomes().keySet()
                        + " logged " + r.pollLogLines().size() + " lines: " + r.pollLogLines());

        // fault-specific
        if (c.expected() == Outcome.RATE_LIMITED && c.rateLimitWait().compareTo(INTERVAL) > 0) {
            double allowed = r.faultSeconds() / (c.rateLimitWait().toMillis() / 1000.0) + 2;
            assertTrue(r.statusRequestsUnderFault() <= allowed, c + ": the reset time was honoured: "
                    + r.statusRequestsUnderFault() + " requests in " + r.faultSeconds() + " s, at most " + allowed);
        }
    }

    // ---- one fault ----------------------------------------------------------------------------

    /** What one fault did to one agent. */
    record Row(Map<String, Long> outcomes, long pollsUnderFault, long successDuringFault, double faultSeconds,
               List<String> pollLogLines, int targetLogLines, Duration recovery,
               Map<String, Duration> maxLatency, int endpointSamples, List<String> endpointProblems,
               int threadBaseline, int threadsAfter, List<String> threadNamesAfter, List<String> rcieThreadsAfterStop,
               List<String> agentThreadsAfterStop, long heapGrowth, long maxBytesPerConnection, long statusRequestsUnderFault,
               String lastErrorMessage) {
    }

    record Result(Row row, Throwable error) {
        static Result of(Callable<Row> run) {
            try {
                return new Result(run.call(), null);
            } catch (Throwable t) {
                return new Result(null, t);
            }
        }
    }

    /** One agent, one faulty server, one fault: runs it and measures. */
    private static final class Scenario {
        private final Case c;
        private final ThreadGroup agentThreads;
        private final ThreadGroup serverThreads;
        private final FaultyServer server;
        private Agent agent;

        Scenario(Case c) {
            this.c = c;
            this.agentThreads = new ThreadGroup("agent-" + c.name());
            this.serverThreads = new ThreadGroup("server-" + c.name());
            this.server = c.server().get();
        }

        private String target() {
            return c.name();
        }

        Row run() throws Exception {
            try {
                inGroup(serverThreads, () -> {
                    server.start();
                    return null;
                });
                Config config = config(server.url());
                agent = inGroup(agentThreads, () -> Agent.start(config, Clock.systemUTC()));
                return measure();
            } finally {
                if (agent != null) {
                    agent.stop(Duration.ofSeconds(2));
                }
                server.close();
            }
        }

        private Config config(String url) throws Exception {
            String yaml = """
                    server:
                      host: 127.0.0.1
                      port: 0
                    poll:
                      interval: %dms
                      timeout: %dms
                      stale_after: %dms
                    retry:
                      max_attempts: 2
                      initial_backoff: 50ms
                      max_backoff: 100ms
                    circuit_breaker:
                      failure_rate_threshold: 50
                      window: 10
                      minimum_polls: 5
                      open_for: %dms
                    targets:
                      - name: %s
                        url: %s
                        user_id: %s
                        auth_token: %s
                    """.formatted(INTERVAL.toMillis(), TIMEOUT.toMillis(), STALE_AFTER.toMillis(), OPEN_FOR.toMillis(),
                    target(), url, USER_ID, AUTH_TOKEN) + server.extraTargetYaml();
            return ConfigLoader.parse(yaml, Map.of());
        }

        private Row measure() throws Exception {
            FaultyServer.Agent reloads = url -> {
                Config next = config(url);
                inGroup(agentThreads, () -> agent.apply(next));
            };
            // Steady state: good polls, and the endpoint traffic the fault phase will make.
            waitFor(c + ": first good poll", Duration.ofSeconds(20), () -> snapshot().up(), () -> statusOf(snapshot()));
            Latencies warmUp = new Latencies();
            for (int i = 0; i < 4; i++) {
                warmUp.sample(agent.port());
            }
            waitForPolls(1, Duration.ofSeconds(10));
            int threadBaseline = agentThreadNames().size();
            long heapBefore = c.alone() ? usedHeapAfterGc() : 0;

            // The fault.
            int logMark = logs.mark();
            long requestsAtStart = server.statusRequests();
            inGroup(serverThreads, () -> {
                server.inject(reloads);
                return null;
            });
            long faultStart = System.nanoTime();
            long pollsAtStart = snapshot().polls();
            Map<String, Long> before = freshCounts();
            Latencies latencies = new Latencies();
            AtomicReference<Instant> firstFailure = new AtomicReference<>();
            AtomicReference<Map<String, Long>> counted = new AtomicReference<>(Map.of());
            waitFor(c + ": " + POLLS_UNDER_FAULT + " polls under the fault, " + c.expected().label() + " counted",
                    Duration.ofSeconds(60), () -> {
                        latencies.sample(agent.port());
                        TargetSnapshot s = snapshot();
                        if (firstFailure.get() == null && s.lastOutcome().filter(o -> o != Outcome.SUCCESS).isPresent()) {
                            firstFailure.set(s.lastPollAt().orElseThrow());
                        }
                        counted.set(minus(pollCounts(latencies.lastMetrics), before));
                        return s.polls() - pollsAtStart >= POLLS_UNDER_FAULT + 1
                                && counted.get().getOrDefault(c.expected().label(), 0L) >= 1;
                    }, () -> "counted " + counted.get() + ", polls " + (snapshot().polls() - pollsAtStart) + ", " + statusOf(snapshot()));
            double faultSeconds = (System.nanoTime() - faultStart) / 1e9;
            long requestsUnderFault = server.statusRequests() - requestsAtStart;
            long pollsUnderFault = snapshot().polls() - pollsAtStart - 1; // the first may have begun before the fault
            TargetSnapshot end = snapshot();
            Instant failedFirst = Optional.ofNullable(firstFailure.get()).orElse(Instant.MIN);
            long successDuringFault = end.lastSuccessAt().filter(t -> t.isAfter(failedFirst)).isPresent() ? 1 : 0;
            String lastError = end.lastError().map(e -> e.message()).orElse("");
            long heapDuring = c.alone() ? usedHeapAfterGc() : 0;
            List<String> faultLines = logs.linesSince(logMark).stream().filter(l -> l.contains("target=" + target() + " ")).toList();
            List<String> pollLines = faultLines.stream()
                    .filter(l -> l.contains("event=poll_failed") || l.contains("event=still_failing")).toList();

            // Clear it: a good poll must follow.
            Instant cleared = Instant.now();
            long clearedNanos = System.nanoTime();
            inGroup(serverThreads, () -> {
                server.clear(reloads);
                return null;
            });
            waitFor(c + ": a good poll after the fault cleared", Duration.ofSeconds(30),
                    () -> snapshot().lastSuccessAt().filter(t -> t.isAfter(cleared)).isPresent(), () -> statusOf(snapshot()));
            Duration recovery = Duration.ofNanos(System.nanoTime() - clearedNanos);
            waitForPolls(1, Duration.ofSeconds(10));
            // Settled: threads back to the steady state (idle ones may take a moment to go).
            List<String> threadsAfter = new ArrayList<>();
            waitFor(Duration.ofSeconds(5), () -> {
                threadsAfter.clear();
                threadsAfter.addAll(agentThreadNames());
                return threadsAfter.size() <= threadBaseline + THREAD_SLACK;
            });
            long heapAfter = c.alone() ? usedHeapAfterGc() : 0;
            long heapGrowth = c.alone() ? Math.max(heapDuring, heapAfter) - heapBefore : 0;

            // Stop: no rcie-* thread may stay.
            agent.stop(Duration.ofSeconds(2));
            agent = null;
            List<String> rcieLeft = new ArrayList<>();
            List<String> agentLeft = new ArrayList<>();
            waitFor(Duration.ofSeconds(5), () -> {
                rcieLeft.clear();
                agentLeft.clear();
                agentLeft.addAll(agentThreadNames());
                agentLeft.stream().filter(n -> n.startsWith("rcie-")).forEach(rcieLeft::add);
                return rcieLeft.isEmpty();
            });
            return new Row(counted.get(), pollsUnderFault, successDuringFault, faultSeconds, pollLines, faultLines.size(),
                    recovery, latencies.max, latencies.samples, latencies.problems, threadBaseline, threadsAfter.size(),
                    List.copyOf(threadsAfter), rcieLeft, agentLeft, heapGrowth, server.maxBytesPerConnection(),
                    requestsUnderFault, lastError);
        }

        /** polls_total as /metrics shows it once it has caught up with the store (it may be cached for up to 1 s). */
        private Map<String, Long> freshCounts() {
            AtomicReference<Map<String, Long>> counts = new AtomicReference<>();
            waitFor(c + ": /metrics catches up with the store", Duration.ofSeconds(5), () -> {
                long polls = snapshot().polls();
                counts.set(pollCounts(scrape(agent.port())));
                return counts.get().values().stream().mapToLong(Long::longValue).sum() == polls && snapshot().polls() == polls;
            }, () -> counts.get() + " vs " + statusOf(snapshot()));
            return counts.get();
        }

        private TargetSnapshot snapshot() {
            return agent.store().get(target()).orElseThrow();
        }

        private void waitForPolls(int polls, Duration limit) {
            long start = snapshot().polls();
            waitFor(c + ": " + polls + " more polls", limit, () -> snapshot().polls() >= start + polls, () -> statusOf(snapshot()));
        }

        /** The agent's live threads (shared JDK pools aside). */
        private List<String> agentThreadNames() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getThreadGroup() == agentThreads && t.isAlive())
                    .map(Thread::getName)
                    .filter(n -> !n.startsWith("ForkJoinPool.commonPool"))
                    .sorted()
                    .toList();
        }
    }

    private static String statusOf(TargetSnapshot s) {
        return "polls " + s.polls() + ", last outcome " + s.lastOutcome().map(Outcome::label).orElse("-")
                + ", last error " + s.lastError().map(e -> e.outcome().label() + ": " + e.message()).orElse("-");
    }

    /** Runs {@code work} on a new thread of {@code group} (so every thread it starts belongs to the group) and waits. */
    static <T> T inGroup(ThreadGroup group, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(group, () -> {
            try {
                result.set(work.call());
            } catch (Throwable e) {
                error.set(e);
            }
        }, group.getName() + "-starter");
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(30));
        if (t.isAlive()) {
            throw new AssertionError(group.getName() + ": did not finish within 30 s");
        }
        if (error.get() instanceof Exception e) {
            throw e;
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        return result.get();
    }

    // ---- endpoints ----------------------------------------------------------------------------

    /** Requests to /metrics, /status and /health: the slowest answer of each, and any that was not a quick 200. */
    private static final class Latencies {
        final Map<String, Duration> max = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        int samples;
        String lastMetrics = "";
        private long lastSample;

        Latencies() {
            ENDPOINTS.forEach(p -> max.put(p, Duration.ZERO));
        }

        void sample(int port) {
            if (System.nanoTime() - lastSample < TimeUnit.MILLISECONDS.toNanos(250)) {
                return;
            }
            lastSample = System.nanoTime();
            samples++;
            for (String path : ENDPOINTS) {
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> r = get(port, path);
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    max.merge(path, took, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                    if (r.statusCode() != 200) {
                        problems.add(path + " answered " + r.statusCode());
                    }
                    if (path.equals("/metrics")) {
                        lastMetrics = r.body();
                    }
                } catch (IOException e) {
                    problems.add(path + ": " + e);
                    max.merge(path, Duration.ofNanos(System.nanoTime() - t0), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "text/plain;version=0.0.4")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String scrape(int port) {
        try {
            HttpResponse<String> r = get(port, "/metrics");
            assertEquals(200, r.statusCode());
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** {@code rocketchat_import_polls_total} by outcome (every target of the agent: there is one). */
    static Map<String, Long> pollCounts(String metricsText) {
        if (metricsText.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (MetricsText.Sample s : MetricsText.parse(metricsText, false).find("rocketchat_import_polls_total")) {
            out.merge(s.labels().get("outcome"), (long) s.value(), Long::sum);
        }
        return out;
    }

    static Map<String, Long> minus(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> out = new LinkedHashMap<>();
        now.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    // ---- waiting and measuring --------------------------------------------------------------

    static void waitFor(String what, Duration limit, BooleanSupplier condition, Supplier<String> state) {
        if (!waitFor(limit, condition)) {
            throw new AssertionError("not within " + limit.toMillis() + " ms: " + what + " (" + state.get() + ")");
        }
    }

    static boolean waitFor(Duration limit, BooleanSupplier condition) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        return true;
    }

    /** Heap in use after full collections: the least of a few tries, so floating garbage does not count. */
    static long usedHeapAfterGc() {
        long least = Long.MAX_VALUE;
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            least = Math.min(least, rt.totalMemory() - rt.freeMemory());
        }
        return least;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (double) MIB);
    }

    // ---- the report ---------------------------------------------------------------------------

    private static String table(List<Case> cases, double seconds) {
        StringBuilder out = new StringBuilder();
        out.append("## Fault matrix (interval ").append(INTERVAL.toMillis()).append(" ms, timeout ").append(TIMEOUT.toMillis())
                .append(" ms, open_for ").append(OPEN_FOR.toMillis()).append(" ms, ").append(PARALLEL).append(" faults at a time; ")
                .append(String.format(Locale.ROOT, "%.0f", seconds)).append(" s in all)\n\n");
        out.append("| fault | outcomes counted under the fault | polls | log lines (poll/all) | recovery | bound | max latency /metrics /status /health | heap growth | threads before → after | left after stop | last error |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Case c : cases) {
            Result res = RESULTS.containsKey(c.name()) ? RESULTS.get(c.name()).getNow(null) : null;
            if (res == null || res.row() == null) {
                out.append("| ").append(c.name()).append(" | FAILED: ")
                        .append(res == null ? "did not finish" : String.valueOf(res.error()).replace('|', '/').replace('\n', ' '))
                        .append(" ||||||||||\n");
                continue;
            }
            Row r = res.row();
            out.append("| ").append(c.name())
                    .append(" | ").append(r.outcomes().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")))
                    .append(" | ").append(r.pollsUnderFault())
                    .append(" | ").append(r.pollLogLines().size()).append("/").append(r.targetLogLines())
                    .append(" | ").append(r.recovery().toMillis()).append(" ms")
                    .append(" | ").append(c.recoveryBound().toMillis()).append(" ms")
                    .append(" | ").append(ENDPOINTS.stream().map(p -> r.maxLatency().get(p).toMillis() + "").collect(Collectors.joining(" / "))).append(" ms")
                    .append(" | ").append(c.alone() ? mib(r.heapGrowth()) + " MiB (read " + mib(r.maxBytesPerConnection()) + " MiB of 64 per connection)" : "n/a (concurrent)")
                    .append(" | ").append(r.threadBaseline()).append(" → ").append(r.threadsAfter())
                    .append(" | ").append(r.agentThreadsAfterStop().isEmpty() ? "none" : String.join(", ", r.agentThreadsAfterStop()))
                    .append(" | ").append(r.lastErrorMessage().replace('|', '/'))
                    .append(c.expected() == Outcome.RATE_LIMITED ? String.format(Locale.ROOT, " (%d requests in %.1f s)",
                            r.statusRequestsUnderFault(), r.faultSeconds()) : "")
                    .append(" |\n");
        }
        return out.toString();
    }
}
