package io.rcimport.exporter.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.config.Config;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Pushes alerts to Alertmanagers ({@code POST /api/v2/alerts}, to each one, not load-balanced).
 * The whole current set goes out on every change and again every {@code resend_interval}:
 * firing alerts with {@code endsAt = now + 4 × max(interval, resend_interval)}, resolved ones
 * with {@code endsAt} = when they ended, re-sent for {@link #RESOLVED_RESEND_FOR} in case an
 * Alertmanager restarted and lost them.
 */
public final class AlertmanagerSink implements AlertSink {
    static final Duration RESOLVED_RESEND_FOR = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<DeliveryQueue> queues;
    private final Clock clock;
    private final Duration validFor;
    private final Supplier<URI> externalUrl;
    private final String runbookBaseUrl;
    private final Function<String, Map<String, String>> targetLabels;
    private final Map<String, Alert> firing = new LinkedHashMap<>();
    /** Resolved alerts by labels, with the time they ended. */
    private final Map<Map<String, String>, Resolved> resolved = new LinkedHashMap<>();
    private final ScheduledFuture<?> resender;

    private record Resolved(Alert alert, Instant endedAt) {
    }

    public AlertmanagerSink(List<URI> alertmanagers, HttpClient http, ScheduledExecutorService timer, Clock clock,
                            Duration pollInterval, Duration resendInterval, URI externalUrl, DeliveryCounter counter) {
        this(alertmanagers, http, timer, clock, pollInterval, resendInterval, () -> externalUrl, counter);
    }

    /** @param externalUrl read per alert sent: the agent's address may be known only once its server is bound */
    public AlertmanagerSink(List<URI> alertmanagers, HttpClient http, ScheduledExecutorService timer, Clock clock,
                            Duration pollInterval, Duration resendInterval, Supplier<URI> externalUrl, DeliveryCounter counter) {
        this(alertmanagers, http, timer, clock, pollInterval, resendInterval, externalUrl,
                Config.Alerting.DEFAULT_RUNBOOK_BASE_URL, counter);
    }

    /**
     * @param externalUrl    read per alert sent: the agent's address may be known only once its server is bound
     * @param runbookBaseUrl {@code runbook_url} = this + the alert name in lower case ({@code alerting.runbook_base_url})
     */
    public AlertmanagerSink(List<URI> alertmanagers, HttpClient http, ScheduledExecutorService timer, Clock clock,
                            Duration pollInterval, Duration resendInterval, Supplier<URI> externalUrl,
                            String runbookBaseUrl, DeliveryCounter counter) {
        this(alertmanagers, http, timer, clock, pollInterval, resendInterval, externalUrl, runbookBaseUrl, counter,
                target -> Map.of());
    }

    /** With the default runbook base. */
    public AlertmanagerSink(List<URI> alertmanagers, HttpClient http, ScheduledExecutorService timer, Clock clock,
                            Duration pollInterval, Duration resendInterval, Supplier<URI> externalUrl, DeliveryCounter counter,
                            Function<String, Map<String, String>> targetLabels) {
        this(alertmanagers, http, timer, clock, pollInterval, resendInterval, externalUrl,
                Config.Alerting.DEFAULT_RUNBOOK_BASE_URL, counter, targetLabels);
    }

    /**
     * @param targetLabels a target's configured labels, read per push and added to its alerts'
     *                     labels (so Alertmanager routes on {@code team="payments"}); a reload
     *                     may change them
     */
    public AlertmanagerSink(List<URI> alertmanagers, HttpClient http, ScheduledExecutorService timer, Clock clock,
                            Duration pollInterval, Duration resendInterval, Supplier<URI> externalUrl,
                            String runbookBaseUrl, DeliveryCounter counter, Function<String, Map<String, String>> targetLabels) {
        this.targetLabels = targetLabels;
        this.clock = clock;
        this.runbookBaseUrl = runbookBaseUrl;
        this.validFor = (pollInterval.compareTo(resendInterval) > 0 ? pollInterval : resendInterval).multipliedBy(4);
        this.externalUrl = externalUrl;
        this.queues = IntStream.range(0, alertmanagers.size())
                .mapToObj(i -> new DeliveryQueue("alertmanager-" + i, alertsEndpoint(alertmanagers.get(i)), Map.of(),
                        1, true, http, timer, Duration.ofSeconds(10), counter))
                .toList();
        long every = resendInterval.toMillis();
        this.resender = timer.scheduleWithFixedDelay(this::resend, every, every, TimeUnit.MILLISECONDS);
    }

    static URI alertsEndpoint(URI base) {
        return URI.create(Config.baseUrl(base) + "/api/v2/alerts");
    }

    @Override
    public void onAlerts(Collection<Alert> nowFiring, Collection<Alert> justResolved) {
        Instant now = clock.instant();
        boolean changed;
        synchronized (this) {
            Map<String, Alert> next = new LinkedHashMap<>();
            nowFiring.forEach(a -> next.put(a.key(), a));
            changed = !next.keySet().equals(firing.keySet());
            for (Alert a : next.values()) {
                Alert old = firing.get(a.key());
                if (old != null && !labels(old).equals(labels(a))) {
                    // Severity or operation changed: Alertmanager sees a new alert; end the old one.
                    resolved.put(labels(old), new Resolved(old, now));
                    changed = true;
                }
            }
            for (Alert r : justResolved) {
                resolved.put(labels(r), new Resolved(r, now));
                changed = true;
            }
            for (Alert a : next.values()) {
                resolved.remove(labels(a)); // fired again
            }
            firing.clear();
            firing.putAll(next);
        }
        if (changed) {
            push(now);
        }
    }

    private void resend() {
        try {
            push(clock.instant());
        } catch (RuntimeException e) {
            // never let the timer die
        }
    }

    private void push(Instant now) {
        synchronized (this) {
            resolved.values().removeIf(r -> Duration.between(r.endedAt(), now).compareTo(RESOLVED_RESEND_FOR) > 0);
            if (firing.isEmpty() && resolved.isEmpty()) {
                return;
            }
            // Offered under the lock (offer never blocks): a re-send built from an older set must
            // not reach a queue after a newer push, or an Alertmanager sees a resolved alert fire again.
            DeliveryQueue.Payload p = new DeliveryQueue.Payload(payload(now), "application/json");
            queues.forEach(q -> q.offer(p));
        }
    }

    private byte[] payload(Instant now) {
        ArrayNode array = JSON.createArrayNode();
        for (Alert a : firing.values()) {
            array.add(alertJson(a, now.plus(validFor)));
        }
        for (Resolved r : resolved.values()) {
            array.add(alertJson(r.alert(), r.endedAt()));
        }
        try {
            return JSON.writeValueAsBytes(array);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode alertJson(Alert a, Instant endsAt) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode labels = o.putObject("labels");
        labels(a).forEach(labels::put);
        // The target's own labels never clash with these: the config refuses their names.
        targetLabels.apply(a.target()).forEach(labels::put);
        ObjectNode annotations = o.putObject("annotations");
        annotations.put("summary", a.summary());
        annotations.put("description", a.description());
        annotations.put("runbook_url", Config.Alerting.runbookUrl(runbookBaseUrl, a.name()));
        o.put("startsAt", a.startsAt().toString());
        o.put("endsAt", endsAt.toString());
        o.put("generatorURL", generatorUrl(a.target()));
        return o;
    }

    static Map<String, String> labels(Alert a) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("alertname", a.name());
        m.put("severity", a.severity().label());
        m.put("target", a.target());
        a.operationId().ifPresent(id -> m.put("operation_id", id));
        return m;
    }

    String generatorUrl(String target) {
        URI url = externalUrl.get();
        String base = url == null ? "" : Config.baseUrl(url).toString();
        return base + "/status/" + java.net.URLEncoder.encode(target, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        resender.cancel(false);
        queues.forEach(DeliveryQueue::close);
    }
}
