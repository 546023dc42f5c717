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
import io.rcimport.exporter.http.ApiServer;
import io.rcimport.exporter.http.MetricsEndpoint;
import io.rcimport.exporter.http.StatusJson;
import io.rcimport.exporter.metrics.ImportMetrics;
import io.rcimport.exporter.poll.PollLog;
import io.rcimport.exporter.poll.PollScheduler;
import io.rcimport.exporter.poll.ResilientPoller;
import io.rcimport.exporter.rocketchat.RocketChatClient;
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
    private final Config config;
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
    private final HttpClient http;
    private final List<ResilientPoller> pollers;
    private final PollScheduler scheduler;
    private final JvmGcMetrics gcMetrics;
    private ApiServer server;
    private List<AlertSink> sinks = List.of();
    private AlertEvaluator alerts;

    public Agent(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.version = Version.current();
        this.meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meterRegistry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(meterRegistry);
        new JvmThreadMetrics().bindTo(meterRegistry);
        new ClassLoaderMetrics().bindTo(meterRegistry);
        new ProcessorMetrics().bindTo(meterRegistry);
        new UptimeMetrics().bindTo(meterRegistry);
        new FileDescriptorMetrics().bindTo(meterRegistry);

        this.importRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.breakers = CircuitBreakerRegistry.ofDefaults();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(importRegistry);

        List<String> names = config.targets().stream().map(Config.Target::name).toList();
        this.store = new StatusStore(names, clock, config.poll().stallAfter());
        this.metrics = new ImportMetrics(importRegistry.getPrometheusRegistry(), store, clock,
                config.poll().staleAfter(), version);
        store.addListener(new PollLog(clock)::onChange);

        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, new NamedThreads("rcie-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.httpExecutor = Executors.newFixedThreadPool(2, new NamedThreads("rcie-http-client"));
        this.http = RocketChatClient.newHttpClient(config.poll().timeout(), httpExecutor);
        this.pollers = config.targets().stream().map(this::pollerFor).toList();
        this.scheduler = new PollScheduler(timer, store, clock, config.poll().interval(), pollDeadline(config),
                RandomGenerator.getDefault(), metrics::observePollDuration);
    }

    private ResilientPoller pollerFor(Config.Target target) {
        RocketChatClient client = new RocketChatClient(target, http, config.poll().timeout(),
                RocketChatClient.DEFAULT_BODY_CAP, clock, version);
        return new ResilientPoller(client, config, breakers, timer, clock);
    }

    /** The longest a poll may take, all attempts and backoffs included, plus slack. */
    static Duration pollDeadline(Config config) {
        Duration attempt = config.poll().timeout().plusMillis(500);
        Duration total = attempt.multipliedBy(config.retry().maxAttempts())
                .plus(config.retry().maxBackoff().multipliedBy(config.retry().maxAttempts()));
        return total.compareTo(config.poll().interval()) > 0 ? total : config.poll().interval();
    }

    /** Starts the HTTP server and the polling. */
    public Agent start() {
        StatusJson statusJson = new StatusJson(config.poll().staleAfter(), this::breakerState);
        server = new ApiServer(store, new MetricsEndpoint(importRegistry.getPrometheusRegistry(), meterRegistry.getPrometheusRegistry(), clock, store::version), statusJson, clock, version)
                .start(config.server().host(), config.server().port());
        sinks = alertSinks(externalUrl());
        alerts = new AlertEvaluator(clock, config.poll().staleAfter(), sinks);
        store.addListener(alerts::onChange);
        scheduler.start(pollers);
        return this;
    }

    private List<AlertSink> alertSinks(URI externalUrl) {
        List<AlertSink> out = new java.util.ArrayList<>();
        Config.Alerting a = config.alerting();
        if (!a.alertmanagers().isEmpty()) {
            out.add(new AlertmanagerSink(a.alertmanagers().stream().map(Config.Alertmanager::url).toList(), http, timer, clock,
                    config.poll().interval(), a.resendInterval(), externalUrl, metrics::countAlertDelivery));
        }
        for (int i = 0; i < a.webhooks().size(); i++) {
            out.add(new WebhookSink("webhook-" + i, a.webhooks().get(i), http, timer, metrics::countAlertDelivery));
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
        PollScheduler.pollOnce(pollers, store).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        return new StatusJson(config.poll().staleAfter(), this::breakerState).all(store.all(), clock.instant(), version);
    }

    public boolean allUp() {
        return store.all().stream().allMatch(s -> s.up());
    }

    private String breakerState(String target) {
        return breakers.find(target).map(CircuitBreaker::getState).map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).orElse("none");
    }

    public int port() {
        return server == null ? -1 : server.port();
    }

    public StatusStore store() {
        return store;
    }

    public ImportMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry meterRegistry() {
        return meterRegistry;
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
        gcMetrics.close();
        meterRegistry.close();
        importRegistry.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }
}
