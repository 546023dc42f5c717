package io.rcimport.exporter;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rcimport.exporter.alert.AlertEvaluator;
import io.rcimport.exporter.alert.AlertSink;
import io.rcimport.exporter.alert.AlertmanagerSink;
import io.rcimport.exporter.alert.WebhookSink;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigChange;
import io.rcimport.exporter.config.ConfigException;
import io.rcimport.exporter.http.Reloader;
import io.rcimport.exporter.tls.TlsMaterial;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.rcimport.exporter.http.ApiServer;
import io.rcimport.exporter.http.MetricsEndpoint;
import io.rcimport.exporter.http.StatusJson;
import io.rcimport.exporter.metrics.ImportMetrics;
import io.rcimport.exporter.poll.PollLog;
import io.rcimport.exporter.poll.PollScheduler;
import io.rcimport.exporter.poll.ResilientPoller;
import io.rcimport.exporter.poll.ServerFactsPoll;
import io.rcimport.exporter.poll.TargetPoll;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import io.rcimport.exporter.status.HeartbeatLimits;
import io.rcimport.exporter.status.StatusStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The whole agent, wired from a {@link Config}: HTTP client, pollers, scheduler, status store,
 * metrics, HTTP server. Dependencies are built here and passed down; nothing is global.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private volatile Config config;
    private final Clock clock;
    private final String version;
    /** Per-target series (ours and the breakers'): move only when a poll ends, rendered cached. */
    private final PrometheusMeterRegistry importRegistry;
    /** JVM and process series: rendered fresh on every scrape. */
    private final PrometheusMeterRegistry meterRegistry;
    private final CircuitBreakerRegistry breakers;
    private final StatusStore store;
    private final ImportMetrics metrics;
    private final ScheduledExecutorService timer;
    private final ExecutorService httpExecutor;
    private final ExecutorService metricsRenderer;
    /**
     * One HTTP client per distinct TLS setting (most targets share the default one); the key
     * {@code Optional.empty()} is the client without TLS, for {@code http://} URLs.
     */
    private final Map<Optional<Config.TargetTls>, HttpClient> clients = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, TargetPoll> pollers = new java.util.LinkedHashMap<>();
    private final PollScheduler scheduler;
    private final JvmGcMetrics gcMetrics;
    /** Held here: Micrometer keeps only a weak reference to a function counter's object. */
    private final ProcessCpu processCpu = new ProcessCpu();
    private final Optional<ConfigSource> source;
    private ApiServer server;
    private MetricsEndpoint metricsEndpoint;
    private List<AlertSink> sinks = List.of();
    private AlertEvaluator alerts;
    private volatile Optional<FileStamp> targetsFileStamp = Optional.empty();

    /** Where a reload reads the configuration from (the file given with --config). */
    @FunctionalInterface
    public interface ConfigSource {
        Config load() throws ConfigException;
    }

    public Agent(Config config, Clock clock) {
        this(config, clock, Optional.empty());
    }

    public Agent(Config config, Clock clock, Optional<ConfigSource> source) {
        this.config = config;
        this.clock = clock;
        this.source = source;
        this.version = Version.current();
        this.meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Two of ProcessorMetrics' names fail `promtool check metrics` (process_cpu_time_ns_total:
        // abbreviated unit; system_cpu_count: a "_count" suffix on a gauge). Drop them and export
        // the standard process_cpu_seconds_total instead.
        meterRegistry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.deny(id ->
                id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
        io.micrometer.core.instrument.FunctionCounter.builder("process.cpu", processCpu, ProcessCpu::seconds)
                .baseUnit("seconds").description("CPU time used by the process")
                .register(meterRegistry);
        new JvmMemoryMetrics().bindTo(meterRegistry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(meterRegistry);
        new JvmThreadMetrics().bindTo(meterRegistry);
        new ClassLoaderMetrics().bindTo(meterRegistry);
        new ProcessorMetrics().bindTo(meterRegistry);
        new UptimeMetrics().bindTo(meterRegistry);
        new FileDescriptorMetrics().bindTo(meterRegistry);

        this.importRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Of the breaker binder's ~20 meters per target only the state is in the contract
        // (resilience4j_circuitbreaker_state{name,state}); the others repeat polls_total and
        // were 40 % of /metrics and ~14 MiB of heap at 1,000 targets (bench/README.md).
        importRegistry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.deny(id ->
                id.getName().startsWith("resilience4j.circuitbreaker.") && !id.getName().equals("resilience4j.circuitbreaker.state")));
        this.breakers = CircuitBreakerRegistry.ofDefaults();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(importRegistry);

        List<String> names = config.ownedTargets().stream().map(Config.Target::name).toList();
        this.store = new StatusStore(names, clock,
                new HeartbeatLimits(config.poll().stallAfter(), config.poll().awaitingOperatorAfter()));
        this.metrics = new ImportMetrics(importRegistry.getPrometheusRegistry(), store, clock,
                config.poll().staleAfter(), version);
        store.addListener(new PollLog(clock)::onChange);

        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, new NamedThreads("rcie-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.httpExecutor = Executors.newFixedThreadPool(2, new NamedThreads("rcie-http-client"));
        // Renders /metrics ahead of scrapes when they come often; its one thread ends 30 s after the last.
        this.metricsRenderer = new java.util.concurrent.ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), new NamedThreads("rcie-metrics-render"),
                new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
        for (Config.Target target : config.ownedTargets()) {
            pollers.put(target.name(), pollerFor(target, config));
        }
        this.scheduler = new PollScheduler(timer, store, clock, config.poll().interval(), pollDeadline(config),
                RandomGenerator.getDefault(), metrics::observePollDuration);
    }

    /** CPU seconds of this process, from the JDK's OperatingSystemMXBean. */
    private static final class ProcessCpu {
        private final java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();

        double seconds() {
            return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
        }
    }

    private TargetPoll pollerFor(Config.Target target, Config config) {
        RocketChatClient client = new RocketChatClient(target, clientFor(List.of(target.url()), target.tls()), config.poll().timeout(),
                RocketChatClient.DEFAULT_BODY_CAP, clock, version);
        return new ServerFactsPoll(new ResilientPoller(client, config, breakers, timer, clock), client, clock,
                config.poll().historyInterval());
    }

    /**
     * The client for these URLs: the one without TLS if they are all {@code http://} (a plain
     * HTTP agent then never loads the JDK's TLS stack), else the one for {@code tls}.
     */
    private HttpClient clientFor(List<URI> urls, Config.TargetTls tls) {
        boolean plain = urls.stream().allMatch(u -> "http".equalsIgnoreCase(u.getScheme()));
        return clients.computeIfAbsent(plain ? Optional.empty() : Optional.of(tls), key -> {
            if (key.isEmpty()) {
                return RocketChatClient.newPlainHttpClient(config.poll().timeout(), httpExecutor);
            }
            try {
                return RocketChatClient.newHttpClient(config.poll().timeout(), httpExecutor, TlsMaterial.clientContext(key.get()));
            } catch (java.security.GeneralSecurityException | java.io.IOException e) {
                throw new IllegalStateException("TLS settings " + key.get() + ": " + e.getMessage(), e);
            }
        });
    }

    /** The longest a poll may take, all attempts and backoffs included, plus slack. */
    static Duration pollDeadline(Config config) {
        Duration attempt = config.poll().timeout().plusMillis(500);
        Duration total = attempt.multipliedBy(config.retry().maxAttempts())
                .plus(config.retry().maxBackoff().multipliedBy(config.retry().maxAttempts()));
        return total.compareTo(config.poll().interval()) > 0 ? total : config.poll().interval();
    }

    /** Starts the HTTP server and the polling. */
    public synchronized Agent start() {
        StatusJson statusJson = new StatusJson(config.poll().staleAfter(), this::breakerState, this::firingAlerts);
        metricsEndpoint = new MetricsEndpoint(importRegistry.getPrometheusRegistry(), meterRegistry.getPrometheusRegistry(),
                clock, store::updateCount, metricsRenderer);
        server = new ApiServer(store, metricsEndpoint, statusJson, clock, version, config.server(),
                source.map(s -> (Reloader) this::reloadFromSource))
                .start(config.server().host(), config.server().port());
        sinks = alertSinks(externalUrl());
        alerts = new AlertEvaluator(clock, config.poll().staleAfter(), sinks);
        store.addListener(alerts::onChange);
        // Between polls too: a target whose next poll waits for a rate-limit reset still goes down on time.
        long every = Math.max(1000, config.poll().staleAfter().toMillis() / 4);
        timer.scheduleWithFixedDelay(() -> {
            try {
                alerts.evaluateAll(store::all);
            } catch (RuntimeException e) {
                LOG.error("event=alert_evaluation_failed msg=\"{}\"", e.toString());
            }
        }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        warnAboutInsecureTargets(config.ownedTargets());
        scheduler.start(List.copyOf(pollers.values()));
        config.targetsFile().ifPresent(file -> {
            targetsFileStamp = FileStamp.of(file);
            timer.scheduleWithFixedDelay(this::checkTargetsFile, TARGETS_FILE_CHECK.toMillis(), TARGETS_FILE_CHECK.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        });
        return this;
    }

    /** How often {@code targets_file} is checked for changes. */
    static final Duration TARGETS_FILE_CHECK = Duration.ofSeconds(5);

    /** Size and modification time: enough to notice an edit or an atomic replace. */
    private record FileStamp(long size, java.nio.file.attribute.FileTime modified) {
        static Optional<FileStamp> of(java.nio.file.Path file) {
            try {
                return Optional.of(new FileStamp(java.nio.file.Files.size(file), java.nio.file.Files.getLastModifiedTime(file)));
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
        }
    }

    private void checkTargetsFile() {
        Optional<java.nio.file.Path> file = config.targetsFile();
        if (file.isEmpty() || source.isEmpty()) {
            return;
        }
        Optional<FileStamp> now = FileStamp.of(file.get());
        if (!now.equals(targetsFileStamp)) {
            targetsFileStamp = now;
            LOG.info("event=targets_file_changed file={}", file.get());
            reloadFromSource();
        }
    }

    private static void warnAboutInsecureTargets(java.util.Collection<Config.Target> targets) {
        for (Config.Target t : targets) {
            if (t.tls().insecureSkipVerify()) {
                LOG.warn("target={} event=insecure_tls msg=\"insecure_skip_verify is on: the server's certificate is NOT verified; "
                        + "anyone on the path can read the token\"", t.name());
            }
        }
    }

    /** Re-reads the configuration and applies it; a bad one is rejected and the old one kept. */
    public synchronized Reloader.Result reloadFromSource() {
        if (source.isEmpty()) {
            return new Reloader.Result(false, "no configuration file to reload");
        }
        Config next;
        try {
            next = source.get().load();
        } catch (ConfigException e) {
            reloadFailed();
            LOG.error("event=reload_rejected msg=\"{}\" (the running configuration is kept)", e.getMessage());
            return new Reloader.Result(false, e.getMessage());
        } catch (RuntimeException e) {
            reloadFailed();
            LOG.error("event=reload_rejected msg=\"{}\" (the running configuration is kept)", e.toString());
            return new Reloader.Result(false, "reload failed: " + e.getClass().getSimpleName());
        }
        return apply(next);
    }

    /** The gauge goes to 0 and the next scrape shows it (the cached per-target block would hide it for up to a second). */
    private void reloadFailed() {
        metrics.reloadFailed();
        if (server != null) {
            server.invalidateCaches();
        }
    }

    /**
     * Applies a new configuration's targets: unchanged targets keep their state, breaker and
     * alerts; new ones start; removed ones stop and their series vanish; a target whose url,
     * credentials or TLS changed starts afresh. Other sections need a restart (logged).
     */
    public synchronized Reloader.Result apply(Config next) {
        ConfigChange change = ConfigChange.between(config, next);
        for (String name : change.stopped()) {
            scheduler.remove(name);
            pollers.remove(name);
            breakers.remove(name);
            metrics.removeTarget(name);
            if (alerts != null) {
                alerts.removeTarget(name);
            }
        }
        // Drop the stopped targets' snapshots first, so a changed target starts from a fresh one.
        store.retainTargets(change.kept());
        store.retainTargets(change.targetNames());
        config = change.applied();
        List<TargetPoll> started = new java.util.ArrayList<>();
        for (Config.Target t : change.started()) {
            TargetPoll p = pollerFor(t, config);
            pollers.put(t.name(), p);
            metrics.initTarget(t.name());
            started.add(p);
        }
        if (server != null) {
            scheduler.start(started);
            server.invalidateCaches();
        }
        warnAboutInsecureTargets(change.started());
        metrics.reloadSucceeded(clock.instant());
        LOG.info("event=reloaded {}", change.summary());
        return new Reloader.Result(true, change.summary());
    }

    private List<AlertSink> alertSinks(URI externalUrl) {
        Config.Alerting a = config.alerting();
        List<URI> urls = java.util.stream.Stream.concat(a.alertmanagers().stream().map(Config.Alertmanager::url),
                a.webhooks().stream().map(Config.Webhook::url)).toList();
        if (urls.isEmpty()) {
            return List.of();
        }
        HttpClient http = clientFor(urls, Config.TargetTls.verify());
        List<AlertSink> out = new java.util.ArrayList<>();
        if (!a.alertmanagers().isEmpty()) {
            out.add(new AlertmanagerSink(a.alertmanagers().stream().map(Config.Alertmanager::url).toList(), http, timer, clock,
                    config.poll().interval(), a.resendInterval(), externalUrl, metrics::countAlertDelivery));
        }
        for (int i = 0; i < a.webhooks().size(); i++) {
            out.add(new WebhookSink("webhook-" + i, a.webhooks().get(i), http, timer, metrics::countAlertDelivery, clock));
        }
        return List.copyOf(out);
    }

    /** Where humans reach this agent: {@code alerting.external_url}, else this host and port. */
    private URI externalUrl() {
        if (config.alerting().externalUrl().isPresent()) {
            return config.alerting().externalUrl().get();
        }
        String host = config.server().host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        return URI.create("http://" + host + ":" + server.port());
    }

    public java.util.Collection<io.rcimport.exporter.alert.Alert> firingAlerts() {
        return alerts == null ? List.of() : alerts.firing();
    }

    /** Polls every target once (for {@code --once}) and returns the {@code /status} view. */
    public Map<String, Object> pollOnce(Duration limit) throws Exception {
        PollScheduler.pollOnce(List.copyOf(pollers.values()), store).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        return new StatusJson(config.poll().staleAfter(), this::breakerState, this::firingAlerts)
                .all(store.all(), clock.instant(), version);
    }

    public boolean allUp() {
        return store.all().stream().allMatch(s -> s.up());
    }

    private List<io.rcimport.exporter.alert.Alert> firingAlerts(String target) {
        return firingAlerts().stream().filter(a -> a.target().equals(target)).toList();
    }

    private String breakerState(String target) {
        return breakers.find(target).map(CircuitBreaker::getState).map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).orElse("none");
    }

    public int port() {
        return server == null ? -1 : server.port();
    }

    /** The circuit breaker of a running target (tests: a reload keeps an unchanged target's breaker). */
    Optional<CircuitBreaker> breaker(String target) {
        return breakers.find(target);
    }

    public StatusStore store() {
        return store;
    }

    /** Stops polling (in-flight polls get {@code grace}), then the server, then the threads. */
    public void stop(Duration grace) {
        scheduler.stop(grace);
        sinks.forEach(AlertSink::close);
        if (server != null) {
            server.close();
        }
        timer.shutdownNow();
        httpExecutor.shutdownNow();
        metricsRenderer.shutdownNow();
        clients.clear();
        gcMetrics.close();
        meterRegistry.close();
        importRegistry.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }
}
