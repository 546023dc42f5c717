package io.rcimport.exporter.tools;

import io.rcimport.exporter.demo.Fault;
import io.rcimport.exporter.demo.ImportSimulation;
import io.rcimport.exporter.demo.Scenario;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import io.rcimport.exporter.demo.TestRocketChat;
import java.io.IOException;
import java.net.URI;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A soak run: the packaged agent (a separate JVM, started as a user starts it) polls many
 * targets of one {@link SimulatedRocketChat} that answers a share of requests with a random
 * fault, while a few client threads read {@code /metrics} and {@code /status} without pause.
 * At the end it prints polls done against polls expected, missed and overlapping polls,
 * whether the agent survived, its RSS, threads and heap, and the errors it served.
 *
 * <p>Test scope only (not shipped). Run through {@code scripts/soak}; see scripts/README.md.
 */
public final class Soak {
    private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Options(int targets, Duration interval, Duration timeout, Duration duration, double faultRate, int clients,
                   Duration think, Path jar, List<String> jvmFlags, Path workDir, long seed) {
    }

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.err.println("usage: Soak [--targets 200] [--interval 1s] [--timeout 500ms] [--duration 3m] [--fault-rate 0.1]"
                    + " [--clients 4] [--think 20ms] [--jar target/rocketchat-import-exporter.jar] [--jvm-options bin/jvm.options]"
                    + " [--work-dir DIR] [--seed N]");
            System.exit(2);
            return;
        }
        System.exit(new Soak().run(o));
    }

    static Options parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            a.put(args[i].substring(2), args[++i]);
        }
        Duration interval = duration(a.getOrDefault("interval", "1s"));
        Duration timeout = duration(a.getOrDefault("timeout", Math.max(100, interval.toMillis() / 2) + "ms"));
        List<String> flags = new ArrayList<>();
        Path options = Path.of(a.getOrDefault("jvm-options", "bin/jvm.options"));
        if (Files.exists(options)) {
            flags.add("@" + options.toAbsolutePath());
        } else {
            flags.addAll(List.of("-XX:+UseSerialGC", "-Xss512k", "-Xmx64m"));
        }
        Path work = a.containsKey("work-dir") ? Path.of(a.get("work-dir")) : null;
        return new Options(Integer.parseInt(a.getOrDefault("targets", "200")), interval, timeout,
                duration(a.getOrDefault("duration", "3m")), Double.parseDouble(a.getOrDefault("fault-rate", "0.1")),
                Integer.parseInt(a.getOrDefault("clients", "4")), duration(a.getOrDefault("think", "20ms")),
                Path.of(a.getOrDefault("jar", "target/rocketchat-import-exporter.jar")), flags, work,
                Long.parseLong(a.getOrDefault("seed", "42")));
    }

    static Duration duration(String s) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (500ms, 1s, 3m, 1h): " + s);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    int run(Options o) throws Exception {
        if (!Files.exists(o.jar())) {
            System.err.println("soak: " + o.jar() + " not found; build it with: mvn -B -q -DskipTests package");
            return 2;
        }
        Path work = o.workDir() != null ? Files.createDirectories(o.workDir()) : Files.createTempDirectory("rcie-soak-");
        SplittableRandom random = new SplittableRandom(o.seed());
        ImportSimulation simulation = new ImportSimulation(Clock.systemUTC(), random.split(), Scenario.demo());
        try (TestRocketChat fake = TestRocketChat.start(SimulatedRocketChat.builder(simulation)
                .credentials(SimulatedRocketChat.DEMO_USER_ID, SimulatedRocketChat.DEMO_AUTH_TOKEN))) {
            fake.setFault(Fault.randomFaults(o.faultRate(), random.split()));
            Path config = work.resolve("config.yaml");
            Files.writeString(config, configYaml(o, fake.url()));
            Path log = work.resolve("agent.log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(o.jvmFlags());
            command.addAll(List.of("-jar", o.jar().toString(), "--config", config.toString()));
            System.out.printf("soak: %d targets every %s (timeout %s) for %s, %.0f%% of requests faulty, %d readers; agent: %s%n",
                    o.targets(), o.interval(), o.timeout(), o.duration(), o.faultRate() * 100, o.clients(), String.join(" ", command));
            System.out.println("soak: work dir " + work + " (agent.log, config.yaml)");
            Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                return soak(o, fake, agent, log);
            } finally {
                agent.destroy();
                if (!agent.waitFor(15, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            }
        }
    }

    private static String configYaml(Options o, URI fake) {
        StringBuilder y = new StringBuilder();
        y.append("server:\n  host: 127.0.0.1\n  port: 0\n");
        y.append("poll:\n  interval: ").append(o.interval().toMillis()).append("ms\n  timeout: ").append(o.timeout().toMillis()).append("ms\n");
        y.append("targets:\n");
        for (int i = 0; i < o.targets(); i++) {
            String name = String.format(Locale.ROOT, "soak-%04d", i);
            y.append("  - name: ").append(name).append('\n')
                    .append("    url: ").append(fake).append(TestRocketChat.TARGET_PREFIX).append(name).append('\n')
                    .append("    user_id: ").append(SimulatedRocketChat.DEMO_USER_ID).append('\n')
                    .append("    auth_token: ").append(SimulatedRocketChat.DEMO_AUTH_TOKEN).append('\n');
        }
        return y.toString();
    }

    private int soak(Options o, TestRocketChat fake, Process agent, Path log) throws Exception {
        long pid = agent.pid();
        int port = waitForPort(log, agent);
        URI base = URI.create("http://127.0.0.1:" + port);
        long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (status(base.resolve("/ready")) != 200) {
            if (!agent.isAlive() || System.nanoTime() > readyBy) {
                System.out.println("soak: FAIL the agent never became ready; see " + log);
                return 1;
            }
            Thread.sleep(200);
        }
        String first = scrape(base);
        Map<String, Long> pollsAtStart = pollsByTarget(first);
        Map<String, double[]> durationsAtStart = durationsByTarget(first);
        Map<String, Map<String, Long>> outcomesAtStart = outcomesByTarget(first);
        long start = System.nanoTime();
        List<String> samples = new ArrayList<>();
        samples.add(proc("start", pid));

        Load load = new Load(base, o.clients(), o.think());
        load.start();
        long end = start + o.duration().toNanos();
        long middle = start + o.duration().toNanos() / 2;
        boolean middleTaken = false;
        while (System.nanoTime() < end && agent.isAlive()) {
            if (!middleTaken && System.nanoTime() >= middle) {
                samples.add(proc("middle", pid));
                middleTaken = true;
            }
            Thread.sleep(200);
        }
        load.stop();
        boolean alive = agent.isAlive();
        if (!alive) {
            System.out.println("soak: FAIL the agent died with exit code " + agent.exitValue() + "; see " + log);
            report(load, samples);
            return 1;
        }
        String last = scrape(base);
        double window = (System.nanoTime() - start) / 1e9;
        samples.add(proc("end", pid));
        String heap = heapAfterGc(pid, base);

        Map<String, Long> pollsAtEnd = pollsByTarget(last);
        Map<String, double[]> durationsAtEnd = durationsByTarget(last);
        Map<String, Map<String, Long>> outcomes = outcomesByTarget(last);
        long done = 0;
        double adjustedTotal = 0;
        List<String> missed = new ArrayList<>();
        int missedRateLimited = 0;
        int missedBreaker = 0;
        for (String target : pollsAtEnd.keySet()) {
            long n = pollsAtEnd.get(target) - pollsAtStart.getOrDefault(target, 0L);
            done += n;
            double[] d1 = durationsAtEnd.getOrDefault(target, new double[2]);
            double[] d0 = durationsAtStart.getOrDefault(target, new double[2]);
            double meanDuration = d1[1] > d0[1] ? (d1[0] - d0[0]) / (d1[1] - d0[1]) : 0;
            // Fixed delay after each poll ends: one poll per (interval + the poll's own length).
            double adjusted = window / (o.interval().toMillis() / 1000.0 + meanDuration);
            adjustedTotal += adjusted;
            if (n < adjusted - 1) {
                // A rate limit answered just before the window (the first polls) still holds polls back in it.
                long rateLimited = outcomes.getOrDefault(target, Map.of()).getOrDefault("rate_limited", 0L);
                long open = delta(outcomes, outcomesAtStart, target, "circuit_open");
                if (rateLimited > 0) {
                    missedRateLimited++;
                } else if (open > 0) {
                    missedBreaker++;
                }
                missed.add(String.format(Locale.ROOT, "%s %d/%.1f (rate_limited %d since start, circuit_open %d)", target, n, adjusted, rateLimited, open));
            }
        }
        double naive = pollsAtEnd.size() * window / (o.interval().toMillis() / 1000.0);
        Map<String, TestRocketChat.Traffic> traffic = fake.traffic(o.timeout());
        long overlaps = traffic.values().stream().mapToLong(TestRocketChat.Traffic::overlaps).sum();
        Map<String, Long> overlapsByAnswer = new TreeMap<>();
        traffic.values().forEach(t -> t.overlapsByEarlierAnswer().forEach((k, v) -> overlapsByAnswer.merge(k, v, Long::sum)));
        long requests = traffic.values().stream().mapToLong(TestRocketChat.Traffic::requests).sum();

        System.out.println();
        System.out.println("=== soak result ===");
        System.out.printf(Locale.ROOT, "window            %.1f s after /ready, %d targets%n", window, pollsAtEnd.size());
        System.out.printf(Locale.ROOT, "polls done        %d (sum of rocketchat_import_polls_total over the window)%n", done);
        System.out.printf(Locale.ROOT, "polls expected    %.0f naive (targets x window / interval); %.0f adjusted for each target's mean poll"
                + " duration (fixed delay after a poll ends); done/adjusted %.1f%%%n", naive, adjustedTotal, 100.0 * done / adjustedTotal);
        System.out.printf(Locale.ROOT, "outcomes          %s%n", totals(outcomes, outcomesAtStart));
        System.out.printf(Locale.ROOT, "missed polls      %d targets short by more than one poll (%d after a rate-limit wait, %d with the breaker open, %d unexplained)%n",
                missed.size(), missedRateLimited, missedBreaker, missed.size() - missedRateLimited - missedBreaker);
        missed.sort(Comparator.comparing((String m) -> !m.contains("(rate_limited 0 since start, circuit_open 0)")));
        missed.stream().limit(10).forEach(m -> System.out.println("                  " + m));
        System.out.printf(Locale.ROOT, "overlapping polls %d (requests for one target while another for it, younger than the %s timeout, was being answered; %d requests seen by the fake)%n",
                overlaps, o.timeout(), requests);
        if (overlaps > 0) {
            System.out.println("                  by what the earlier request was answered with: " + overlapsByAnswer
                    + " (a fault the agent had already given up on before its timeout, e.g. a body over the cap,"
                    + " is the server still writing, not the agent polling twice)");
        }
        System.out.printf(Locale.ROOT, "agent alive       %s%n", alive ? "yes" : "NO");
        report(load, samples);
        System.out.println("heap after GC     " + heap);
        boolean ok = overlaps == 0 && load.errors() == 0;
        System.out.println("verdict           " + (ok ? "OK" : "CHECK the figures above"));
        return ok ? 0 : 1;
    }

    private static long delta(Map<String, Map<String, Long>> end, Map<String, Map<String, Long>> start, String target, String outcome) {
        return end.getOrDefault(target, Map.of()).getOrDefault(outcome, 0L) - start.getOrDefault(target, Map.of()).getOrDefault(outcome, 0L);
    }

    private static String totals(Map<String, Map<String, Long>> end, Map<String, Map<String, Long>> start) {
        Map<String, Long> sum = new TreeMap<>();
        end.forEach((target, byOutcome) -> byOutcome.forEach((outcome, n) -> sum.merge(outcome,
                n - start.getOrDefault(target, Map.of()).getOrDefault(outcome, 0L), Long::sum)));
        sum.values().removeIf(v -> v == 0);
        return sum.toString();
    }

    private static void report(Load load, List<String> samples) {
        samples.forEach(s -> System.out.println("process           " + s));
        System.out.printf(Locale.ROOT, "load              %s%n", load.summary());
        System.out.printf(Locale.ROOT, "errors served     %d non-2xx, %d failed requests%n", load.non2xx.sum(), load.failed.sum());
    }

    // ---- the agent's /metrics ----

    private String scrape(URI base) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).header("Accept", "text/plain;version=0.0.4")
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static Map<String, Long> pollsByTarget(String metrics) {
        Map<String, Long> out = new TreeMap<>();
        outcomesByTarget(metrics).forEach((t, byOutcome) -> out.put(t, byOutcome.values().stream().mapToLong(Long::longValue).sum()));
        return out;
    }

    private static Map<String, Map<String, Long>> outcomesByTarget(String metrics) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            if (m.group(1).equals("rocketchat_import_polls_total")) {
                Map<String, String> labels = labels(m.group(2));
                out.computeIfAbsent(labels.get("target"), t -> new TreeMap<>())
                        .put(labels.get("outcome"), (long) Double.parseDouble(m.group(3)));
            }
        }
        return out;
    }

    /** Per target: {sum, count} of rocketchat_import_poll_duration_seconds. */
    private static Map<String, double[]> durationsByTarget(String metrics) {
        Map<String, double[]> out = new TreeMap<>();
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            String name = m.group(1);
            int slot = name.equals("rocketchat_import_poll_duration_seconds_sum") ? 0
                    : name.equals("rocketchat_import_poll_duration_seconds_count") ? 1 : -1;
            if (slot >= 0) {
                out.computeIfAbsent(labels(m.group(2)).get("target"), t -> new double[2])[slot] = Double.parseDouble(m.group(3));
            }
        }
        return out;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new HashMap<>();
        Matcher l = LABEL.matcher(text);
        while (l.find()) {
            out.put(l.group(1), l.group(2));
        }
        return out;
    }

    private int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    // ---- the agent process ----

    private static int waitForPort(Path log, Process p) throws Exception {
        Pattern listen = Pattern.compile("listen=[^ ]*:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            Matcher m = listen.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the agent did not start: " + Files.readString(log));
    }

    /** VmRSS and Threads from /proc/PID/status. */
    private static String proc(String when, long pid) {
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return String.format(Locale.ROOT, "%-6s RSS %s, threads %s", when, field(status, "VmRSS"), field(status, "Threads"));
        } catch (IOException e) {
            return when + " (no /proc: " + e.getMessage() + ")";
        }
    }

    private static String field(String procStatus, String name) {
        Matcher m = Pattern.compile("^" + name + ":\\s*(.+)$", Pattern.MULTILINE).matcher(procStatus);
        return m.find() ? m.group(1).trim() : "?";
    }

    /** {@code jcmd PID GC.run}, then the heap in use as jcmd and the agent's own jvm_memory_used_bytes report it. */
    private String heapAfterGc(long pid, URI base) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String heapInfo;
        try {
            run(jcmd, Long.toString(pid), "GC.run");
            heapInfo = run(jcmd, Long.toString(pid), "GC.heap_info").lines()
                    .filter(l -> l.contains("total") && l.contains("used"))
                    .map(String::trim).reduce((x, y) -> x + "; " + y).orElse("?");
        } catch (IOException | InterruptedException e) {
            heapInfo = "(jcmd failed: " + e.getMessage() + ")";
        }
        double used = 0;
        try {
            Thread.sleep(1100); // past the metrics cache
            Matcher m = SAMPLE.matcher(scrape(base));
            while (m.find()) {
                if (m.group(1).equals("jvm_memory_used_bytes") && "heap".equals(labels(m.group(2)).get("area"))) {
                    used += Double.parseDouble(m.group(3));
                }
            }
        } catch (IOException | InterruptedException e) {
            return heapInfo;
        }
        return String.format(Locale.ROOT, "%.1f MB (jvm_memory_used_bytes area=heap); jcmd: %s", used / 1e6, heapInfo);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    // ---- the readers ----

    /** Client threads reading /metrics (as Prometheus asks) and /status in turn. */
    private final class Load {
        private final URI base;
        private final int clients;
        private final Duration think;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        final LongAdder requests = new LongAdder();
        final LongAdder non2xx = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicLong maxMillis = new AtomicLong();
        final LongAdder totalMillis = new LongAdder();

        Load(URI base, int clients, Duration think) {
            this.base = base;
            this.clients = clients;
            this.think = think;
        }

        void start() {
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(this::loop, "soak-reader-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void loop() {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int i = 0;
            while (running.get()) {
                String path = (i++ % 2 == 0) ? "/metrics" : "/status";
                long t0 = System.nanoTime();
                try {
                    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(base.resolve(path)).header("Accept", PROMETHEUS_ACCEPT)
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() / 100 != 2) {
                        non2xx.increment();
                    }
                } catch (IOException e) {
                    failed.increment();
                } catch (InterruptedException e) {
                    return;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                requests.increment();
                totalMillis.add(ms);
                maxMillis.accumulateAndGet(ms, Math::max);
                if (!think.isZero()) {
                    try {
                        Thread.sleep(think.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(15_000);
            }
        }

        long errors() {
            return non2xx.sum() + failed.sum();
        }

        String summary() {
            long n = requests.sum();
            return String.format(Locale.ROOT, "%d requests to /metrics and /status by %d readers, mean %.1f ms, max %d ms",
                    n, clients, n == 0 ? 0.0 : (double) totalMillis.sum() / n, maxMillis.get());
        }
    }
}
