package io.rcimport.exporter;

import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.alert.AlertEvaluator;
import io.rcimport.exporter.alert.AlertSink;
import io.rcimport.exporter.alert.AlertmanagerSink;
import io.rcimport.exporter.alert.DeliveryCounter;
import io.rcimport.exporter.alert.WebhookSink;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.status.StatusStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The alert evaluator over the status store, and the sinks it hands alerts and events to. */
final class Alerting implements AutoCloseable {
    /** The agent's logger: its lines read as they did before the agent was split into components. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final StatusStore store;
    private final ScheduledExecutorService timer;
    private final Config.Poll poll;
    private final List<AlertSink> sinks;
    private final AlertEvaluator evaluator;

    private Alerting(StatusStore store, ScheduledExecutorService timer, Config.Poll poll, List<AlertSink> sinks,
                     AlertEvaluator evaluator) {
        this.store = store;
        this.timer = timer;
        this.poll = poll;
        this.sinks = sinks;
        this.evaluator = evaluator;
    }

    /**
     * The evaluator and sinks of {@code config.alerting()}; nothing is evaluated before {@link #start()}.
     *
     * @param externalUrl where humans reach this agent (for {@code generatorURL}); read when an
     *                    alert is sent, so it may depend on the port the server bound later
     */
    static Alerting create(Config config, StatusStore store, HttpClients clients, ScheduledExecutorService timer, Clock clock,
                           DeliveryCounter counter, Supplier<URI> externalUrl) {
        return create(config, store, clients, timer, clock, counter, externalUrl, List.of());
    }

    /** The same, with {@code listeners} told of every evaluation too (e.g. the kept state, to write the firing alerts). */
    static Alerting create(Config config, StatusStore store, HttpClients clients, ScheduledExecutorService timer, Clock clock,
                           DeliveryCounter counter, Supplier<URI> externalUrl, List<AlertSink> listeners) {
        return create(config, store, clients, timer, clock, counter, externalUrl, listeners, target -> Map.of());
    }

    /** The same, with {@code targetLabels} (a target's configured labels, read per alert and event) given to the sinks. */
    static Alerting create(Config config, StatusStore store, HttpClients clients, ScheduledExecutorService timer, Clock clock,
                           DeliveryCounter counter, Supplier<URI> externalUrl, List<AlertSink> listeners,
                           Function<String, Map<String, String>> targetLabels) {
        List<AlertSink> sinks = sinks(config, clients, timer, clock, counter, externalUrl, targetLabels);
        List<AlertSink> told = Stream.concat(sinks.stream(), listeners.stream()).toList();
        return new Alerting(store, timer, config.poll(), sinks, new AlertEvaluator(clock, config.poll().staleAfter(), told));
    }

    private static List<AlertSink> sinks(Config config, HttpClients clients, ScheduledExecutorService timer, Clock clock,
                                         DeliveryCounter counter, Supplier<URI> externalUrl,
                                         Function<String, Map<String, String>> targetLabels) {
        Config.Alerting a = config.alerting();
        List<URI> urls = Stream.concat(a.alertmanagers().stream().map(Config.Alertmanager::url),
                a.webhooks().stream().map(Config.Webhook::url)).toList();
        if (urls.isEmpty()) {
            return List.of();
        }
        HttpClient http = clients.clientFor(urls, Config.TargetTls.verify());
        List<AlertSink> out = new ArrayList<>();
        if (!a.alertmanagers().isEmpty()) {
            out.add(new AlertmanagerSink(a.alertmanagers().stream().map(Config.Alertmanager::url).toList(), http, timer, clock,
                    config.poll().interval(), a.resendInterval(), externalUrl, a.runbookBaseUrl(), counter, targetLabels));
        }
        for (int i = 0; i < a.webhooks().size(); i++) {
            out.add(new WebhookSink("webhook-" + i, a.webhooks().get(i), http, timer, counter, clock, targetLabels));
        }
        return List.copyOf(out);
    }

    /** Evaluates on every poll, and between polls too: a target whose next poll waits for a rate-limit reset still goes down on time. */
    void start() {
        store.addListener(evaluator::onChange);
        long every = Math.max(1000, poll.staleAfter().toMillis() / 4);
        timer.scheduleWithFixedDelay(() -> {
            try {
                evaluator.evaluateAll(store::all);
            } catch (RuntimeException e) {
                LOG.error("event=alert_evaluation_failed msg=\"{}\"", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    Collection<Alert> firing() {
        return evaluator.firing();
    }

    /** Before {@link #start()}: the alerts kept across a restart (see {@link AlertEvaluator#restore}). */
    void restore(Collection<Alert> kept) {
        evaluator.restore(kept);
    }

    /** The webhook sinks, in configuration order: their undelivered posts are kept across restarts. */
    List<WebhookSink> webhooks() {
        return sinks.stream().filter(WebhookSink.class::isInstance).map(WebhookSink.class::cast).toList();
    }

    List<Alert> firingOf(String target) {
        return firing().stream().filter(a -> a.target().equals(target)).toList();
    }

    /** Forgets a removed target's alerts. */
    void forget(String target) {
        evaluator.removeTarget(target);
    }

    @Override
    public void close() {
        sinks.forEach(AlertSink::close);
    }
}
