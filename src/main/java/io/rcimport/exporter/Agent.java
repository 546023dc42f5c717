package io.rcimport.exporter;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigChange;
import io.rcimport.exporter.config.ConfigException;
import io.rcimport.exporter.http.ApiServer;
import io.rcimport.exporter.http.Reloader;
import io.rcimport.exporter.http.ServiceDiscovery;
import io.rcimport.exporter.http.StatusJson;
import io.rcimport.exporter.http.hot.MetricsEndpoint;
import io.rcimport.exporter.metrics.ImportMetrics;
import io.rcimport.exporter.poll.PollLog;
import io.rcimport.exporter.status.HeartbeatLimits;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.storage.StateFile;
import io.rcimport.exporter.storage.StateWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent, wired from a {@link Config} in data-flow order: telemetry, the status store
 * and its metrics, polling, alerting, the HTTP server, the targets-file watch. Every part is built
 * and started by {@link #start}; nothing is half-built, and nothing is global.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    /** The running configuration: a reload replaces it (under this object's lock). */
    private final AtomicReference<Config> config;
    private final Clock clock;
    private final Optional<ConfigSource> source;
    private final Telemetry telemetry;
    private final StatusStore store;
    private final ImportMetrics metrics;
    /** Polls' retries and deadlines, alert deliveries, the targets-file checks. */
    private final ScheduledExecutorService timer;
    private final HttpClients clients;
    private final Polling polling;
    private final Alerting alerting;
    /** The state kept under {@code storage.path}; empty: memory only. */
    private final Optional<KeptState> kept;
    private final ApiServer server;

    /** Where a reload reads the configuration from (the file given with --config). */
    @FunctionalInterface
    public interface ConfigSource {
        Config load() throws ConfigException;
    }

    /** Builds the agent, starts serving and polling; without a source, reloads are refused. */
    public static Agent start(Config config, Clock clock) {
        return start(config, clock, Optional.empty());
    }

    public static Agent start(Config config, Clock clock, Optional<ConfigSource> source) {
        return new Agent(config, clock, source);
    }

    private Agent(Config config, Clock clock, Optional<ConfigSource> source) {
        String version = Version.current();
        this.config = new AtomicReference<>(config);
        this.clock = clock;
        this.source = source;
        // Held while wiring: a reload that the server receives as soon as it listens waits for the polling to start.
        synchronized (this) {
            this.telemetry = Telemetry.create();
            this.store = store(config, clock);
            this.metrics = new ImportMetrics(telemetry.importRegistry(), store, clock, config.poll().staleAfter(), version);
            this.timer = timer();
            this.clients = HttpClients.create(config.poll().timeout());
            this.polling = Polling.create(config, store, metrics, telemetry.breakers(), clients, timer, clock, version);
            this.kept = keptState(config, store, this::alerting, metrics, clock);
            // The sinks read the external URL when they send, after the server below is bound: that
            // breaks the cycle alerts -> external URL -> port -> server -> /status -> alerts.
            Optional<URI> configured = config.alerting().externalUrl();
            String host = configured.isPresent() ? "" : reachableHost(config.server().host());
            IntSupplier boundPort = this::port;
            this.alerting = Alerting.create(config, store, clients, timer, clock, metrics::countAlertDelivery,
                    () -> configured.orElseGet(() -> URI.create("http://" + host + ":" + boundPort.getAsInt())),
                    kept.map(k -> List.of(k.alertSink())).orElse(List.of()), this::labelsOf);
            StatusJson statusJson = new StatusJson(config.poll().staleAfter(), telemetry::breakerState, alerting::firingOf,
                    this::labelsOf);
            try {
                restoreKeptState(); // before the server answers: /status shows the kept snapshots from the start
                this.server = ApiServer.serving(store, statusJson, clock, version)
                        .metrics(MetricsEndpoint.cached(telemetry.importRegistry(), telemetry.processRegistry(), clock,
                                store::updateCount, new NamedThreads("rcie-metrics-render")).perTarget(this::targetMetrics))
                        .settings(config.server())
                        .discovery(new ServiceDiscovery(
                                () -> this.config.get().ownedTargets().stream().map(Config.Target::name).toList(),
                                this::labelsOf, config.alerting().externalUrl()))
                        .reloader(source.map(s -> (Reloader) this::reloadFromSource))
                        .start(config.server().host(), config.server().port());
            } catch (RuntimeException e) {
                // e.g. the port is taken: nothing polls yet, so only the threads need stopping.
                kept.ifPresent(KeptState::closeAfterFailedStart);
                alerting.close();
                stopThreads();
                throw e;
            }
            alerting.start();
            polling.start(config.ownedTargets());
            if (config.targetsFile().isPresent() && source.isPresent()) {
                TargetsFileWatch.start(() -> this.config.get().targetsFile(), this::reloadFromSource, timer);
            }
        }
    }

    /**
     * {@code /metrics?target=NAME}: the target's own series (ours and its breaker's), none of the
     * process and JVM series (they are the agent's, not a workspace's: plain {@code /metrics} has
     * them); empty for a name this agent does not poll.
     */
    private Optional<MetricSnapshots> targetMetrics(String target) {
        return metrics.collectTarget(target).map(own -> {
            List<MetricSnapshot> all = new ArrayList<>(own);
            telemetry.breakerSnapshot(target).ifPresent(all::add);
            return new MetricSnapshots(all);
        });
    }

    /** A target's configured labels in the running configuration (a reload may change them), none for an unknown name. */
    private Map<String, String> labelsOf(String target) {
        return config.get().target(target).map(Config.Target::labels).orElse(Map.of());
    }

    /**
     * The kept state of {@code storage.path}, if set. An unusable directory stops the start with a
     * message that names {@code storage.path} (Main checks it first and exits 1).
     */
    private static Optional<KeptState> keptState(Config config, StatusStore store, Supplier<Alerting> alerting,
                                                 ImportMetrics metrics, Clock clock) {
        if (config.storage().path().isEmpty()) {
            return Optional.empty();
        }
        try {
            StateFile file = StateFile.open(config.storage().path().get(), clock);
            metrics.initStorageWrites(StateWriter.SUCCESS, StateWriter.FAILED);
            return Optional.of(new KeptState(file, store, alerting, metrics::countStorageWrite, clock));
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Before the first poll; a kept file that cannot even be set aside stops the start (it would be overwritten). */
    private void restoreKeptState() {
        if (kept.isPresent()) {
            try {
                kept.get().restoreAndKeep();
            } catch (ConfigException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /** Where humans reach this agent when {@code alerting.external_url} is not set: this host's name for a wildcard address. */
    private static String reachableHost(String listenHost) {
        if (listenHost.equals("0.0.0.0") || listenHost.equals("::")) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
        return listenHost;
    }

    /** The store of every owned target's snapshot; the poll log listens to it first. */
    private static StatusStore store(Config config, Clock clock) {
        List<String> names = config.ownedTargets().stream().map(Config.Target::name).toList();
        StatusStore store = new StatusStore(names, clock,
                new HeartbeatLimits(config.poll().stallAfter(), config.poll().awaitingOperatorAfter()));
        store.addListener(new PollLog(clock)::onChange);
        return store;
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new NamedThreads("rcie-timer"));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** What {@code --once} prints and whether every poll succeeded. */
    public record OncePoll(Map<String, Object> status, boolean allUp) {
    }

    /**
     * Polls every target once (for {@code --once}) and returns the {@code /status} view: the
     * pollers and the store, no server, no alerting.
     */
    public static OncePoll pollOnce(Config config, Clock clock) throws Exception {
        String version = Version.current();
        ScheduledExecutorService timer = timer();
        try (Telemetry telemetry = Telemetry.create(); HttpClients clients = HttpClients.create(config.poll().timeout())) {
            StatusStore store = store(config, clock);
            ImportMetrics metrics = new ImportMetrics(telemetry.importRegistry(), store, clock, config.poll().staleAfter(), version);
            Polling polling = Polling.create(config, store, metrics, telemetry.breakers(), clients, timer, clock, version);
            polling.pollOnce(Polling.pollDeadline(config).plusSeconds(5));
            Map<String, Object> status = new StatusJson(config.poll().staleAfter(), telemetry::breakerState, target -> List.of(),
                    target -> config.target(target).map(Config.Target::labels).orElse(Map.of()))
                    .all(store.all(), clock.instant(), version);
            return new OncePoll(status, store.all().stream().allMatch(s -> s.up()));
        } finally {
            timer.shutdownNow();
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
        server.invalidateCaches();
    }

    /**
     * Applies a new configuration's targets: unchanged targets keep their state, breaker and
     * alerts; new ones start; removed ones stop and their series vanish; a target whose url,
     * credentials or TLS changed starts afresh. Other sections need a restart (logged).
     */
    public synchronized Reloader.Result apply(Config next) {
        ConfigChange change = ConfigChange.between(config.get(), next);
        for (String name : change.stopped()) {
            polling.remove(name);
            alerting.forget(name);
        }
        // Drop the stopped targets' snapshots first, so a changed target starts from a fresh one.
        store.retainTargets(change.kept());
        store.retainTargets(change.targetNames());
        config.set(change.applied());
        polling.add(change.started(), change.applied());
        kept.ifPresent(KeptState::changed); // removed targets leave the file
        server.invalidateCaches();
        metrics.reloadSucceeded(clock.instant());
        LOG.info("event=reloaded {}", change.summary());
        return new Reloader.Result(true, change.summary());
    }

    /** The alerting, for the kept state, which is built before it (see {@link KeptState}). */
    private Alerting alerting() {
        return alerting;
    }

    public Collection<Alert> firingAlerts() {
        return alerting.firing();
    }

    public int port() {
        return server.port();
    }

    /** The circuit breaker of a running target (tests: a reload keeps an unchanged target's breaker). */
    Optional<CircuitBreaker> breaker(String target) {
        return telemetry.breakers().find(target);
    }

    public StatusStore store() {
        return store;
    }

    /** Stops polling (in-flight polls get {@code grace}), then the alerts and the server, then the threads. */
    public void stop(Duration grace) {
        polling.stop(grace);
        kept.ifPresent(KeptState::close); // before the sinks close: their undelivered posts are written
        alerting.close();
        server.close();
        stopThreads();
    }

    private void stopThreads() {
        timer.shutdownNow();
        clients.close();
        telemetry.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }
}
