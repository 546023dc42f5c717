package io.rcimport.exporter.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.status.SnapshotTransition;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds the {@link StatusStore} to the Prometheus registry behind Micrometer. The per-target
 * gauges are read from the snapshots at scrape time by one {@link MultiCollector} (no gauge
 * objects to keep in sync, no series left behind when a target goes stale or is removed);
 * counters and the poll-duration histogram are updated as polls complete.
 */
public final class ImportMetrics implements MultiCollector {
    public static final String PREFIX = "rocketchat_import_";
    /** How long the counter index is reused while polls end; at most {@link #INDEX_MAX_AGE} in any case. */
    static final Duration INDEX_HOLD = Duration.ofMillis(250);
    static final Duration INDEX_MAX_AGE = Duration.ofSeconds(1);

    private final StatusStore store;
    private final Clock clock;
    private final Duration staleAfter;
    private final Counter polls;
    private final Counter stateChanges;
    private final Histogram pollDuration;
    private final Counter alertsSent;
    private final Counter storageWrites;
    private final Gauge reloadSuccessful;
    private final Gauge reloadTimestamp;
    /** The counter and histogram series by target, for {@link #collectTarget}. */
    private volatile CounterIndex index;

    // Every metric is built withoutExemplars(): exemplar sampling needs
    // prometheus-metrics-tracer-initializer, which micrometer-registry-prometheus excludes, so
    // the first inc()/set()/observe() would throw NoClassDefFoundError. There is no tracing here anyway.
    public ImportMetrics(PrometheusRegistry registry, StatusStore store, Clock clock, Duration staleAfter, String version) {
        this.store = store;
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.polls = Counter.builder().name(PREFIX + "polls_total")
                .help("Polls of import.status by outcome (one per poll, retries included)")
                .labelNames("target", "outcome").withoutExemplars().register(registry);
        this.stateChanges = Counter.builder().name(PREFIX + "state_changes_total")
                .help("Observed transitions of the reported import state")
                .labelNames("target", "from", "to").withoutExemplars().register(registry);
        this.pollDuration = Histogram.builder().name(PREFIX + "poll_duration_seconds")
                .help("Duration of a whole poll, retries and backoff included")
                .labelNames("target").classicOnly().withoutExemplars()
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        this.alertsSent = Counter.builder().name(PREFIX + "alerts_sent_total")
                .help("Alert and event deliveries by sink and outcome")
                .labelNames("sink", "outcome").withoutExemplars().register(registry);
        this.storageWrites = Counter.builder().name(PREFIX + "storage_writes_total")
                .help("Writes of the state file under storage.path by outcome (success, failed)")
                .labelNames("outcome").withoutExemplars().register(registry);
        Gauge.builder().name(PREFIX + "exporter_build_info")
                .help("Version of rocketchat-import-exporter").labelNames("version").withoutExemplars().register(registry)
                .labelValues(version).set(1);
        this.reloadSuccessful = Gauge.builder()
                .name(PREFIX + "config_last_reload_successful")
                .help("1 if the last configuration reload succeeded (or none was tried), else 0")
                .withoutExemplars().register(registry);
        reloadSuccessful.set(1);
        this.reloadTimestamp = Gauge.builder()
                .name(PREFIX + "config_last_reload_success_timestamp_seconds")
                .help("Unix time of the last successful configuration load or reload")
                .withoutExemplars().register(registry);
        reloadTimestamp.set(clock.millis() / 1000.0);
        registry.register(this);
        for (String target : store.names()) {
            initTarget(target);
        }
        store.addListener(this::onPoll);
    }

    /** Every outcome series exists from the start, at 0, so rate() and increase() work on the first failure. */
    public void initTarget(String target) {
        for (Outcome o : Outcome.values()) {
            polls.initLabelValues(target, o.label());
        }
    }

    /** Forgets a removed target's counters (config reload); its gauges vanish with its snapshot. */
    public void removeTarget(String target) {
        polls.removeIf(labels -> labels.get(0).equals(target));
        stateChanges.removeIf(labels -> labels.get(0).equals(target));
        pollDuration.removeIf(labels -> labels.get(0).equals(target));
    }

    public void reloadSucceeded(Instant at) {
        reloadSuccessful.set(1);
        reloadTimestamp.set(at.toEpochMilli() / 1000.0);
    }

    public void reloadFailed() {
        reloadSuccessful.set(0);
    }

    public void observePollDuration(String target, Duration duration) {
        pollDuration.labelValues(target).observe(duration.toNanos() / 1e9);
    }

    /** With storage on, both outcomes exist from the start at 0, so increase() works on the first failure. */
    public void initStorageWrites(String... outcomes) {
        for (String o : outcomes) {
            storageWrites.initLabelValues(o);
        }
    }

    public void countStorageWrite(String outcome) {
        storageWrites.labelValues(outcome).inc();
    }

    public void countAlertDelivery(String sink, String outcome) {
        alertsSent.labelValues(sink, outcome).inc();
    }

    private void onPoll(SnapshotTransition.Change change) {
        TargetSnapshot s = change.current();
        s.lastOutcome().ifPresent(o -> polls.labelValues(s.target(), o.label()).inc());
        change.transition().ifPresent(t -> stateChanges.labelValues(s.target(), t.from().label(), t.to().label()).inc());
    }

    @Override
    public MetricSnapshots collect() {
        Instant now = clock.instant();
        Families f = new Families();
        for (TargetSnapshot s : store.all()) {
            gauges(f, s, now);
        }
        return f.build();
    }

    /**
     * The per-target view ({@code /metrics?target=NAME}): the target's gauges from its snapshot
     * alone, and its series of {@code polls_total}, {@code state_changes_total} and
     * {@code poll_duration_seconds} from an index by target that is rebuilt at most every
     * {@link #INDEX_HOLD} while polls end (and when it is {@link #INDEX_MAX_AGE} old), not per
     * request: a request costs the same with one target or a thousand. Empty for a target the
     * store does not hold. No other target's series, ever: every data point is taken from the
     * target's own entry.
     */
    public Optional<List<MetricSnapshot>> collectTarget(String target) {
        Optional<TargetSnapshot> snapshot = store.get(target);
        if (snapshot.isEmpty()) {
            return Optional.empty();
        }
        List<MetricSnapshot> out = new ArrayList<>(counterIndex().of(target));
        Families f = new Families();
        gauges(f, snapshot.get(), clock.instant());
        out.addAll(f.build().stream().toList());
        return Optional.of(out);
    }

    private CounterIndex counterIndex() {
        CounterIndex current = index;
        Instant now = clock.instant();
        long updates = store.updateCount();
        if (current != null) {
            Duration age = Duration.between(current.builtAt(), now);
            boolean fresh = current.updateCount() == updates ? age.compareTo(INDEX_MAX_AGE) < 0 : age.compareTo(INDEX_HOLD) < 0;
            if (fresh && !age.isNegative()) {
                return current;
            }
        }
        synchronized (this) {
            if (index != current) {
                return index; // another request rebuilt it meanwhile
            }
            CounterIndex next = CounterIndex.of(updates, now, polls.collect(), stateChanges.collect(), pollDuration.collect());
            index = next;
            return next;
        }
    }

    /** The counter and histogram series by target, each family keeping its metadata. */
    private record CounterIndex(long updateCount, Instant builtAt, Map<String, List<MetricSnapshot>> byTarget) {
        static CounterIndex of(long updateCount, Instant builtAt, CounterSnapshot polls, CounterSnapshot stateChanges,
                               HistogramSnapshot pollDuration) {
            Map<String, List<CounterDataPointSnapshot>> pollPoints = byTarget(polls.getDataPoints());
            Map<String, List<CounterDataPointSnapshot>> changePoints = byTarget(stateChanges.getDataPoints());
            Map<String, List<HistogramDataPointSnapshot>> durationPoints = byTarget(pollDuration.getDataPoints());
            Map<String, List<MetricSnapshot>> out = new HashMap<>();
            pollPoints.forEach((t, points) -> family(out, t).add(new CounterSnapshot(polls.getMetadata(), points)));
            changePoints.forEach((t, points) -> family(out, t).add(new CounterSnapshot(stateChanges.getMetadata(), points)));
            durationPoints.forEach((t, points) -> family(out, t).add(new HistogramSnapshot(pollDuration.getMetadata(), points)));
            return new CounterIndex(updateCount, builtAt, out);
        }

        List<MetricSnapshot> of(String target) {
            return byTarget.getOrDefault(target, List.of());
        }

        private static List<MetricSnapshot> family(Map<String, List<MetricSnapshot>> out, String target) {
            return out.computeIfAbsent(target, t -> new ArrayList<>(3));
        }

        private static <P extends DataPointSnapshot> Map<String, List<P>> byTarget(List<P> points) {
            Map<String, List<P>> m = new HashMap<>();
            for (P p : points) {
                String t = p.getLabels().get("target");
                if (t != null) {
                    m.computeIfAbsent(t, k -> new ArrayList<>()).add(p);
                }
            }
            return m;
        }
    }

    /** One target's gauges, from its snapshot. */
    private void gauges(Families f, TargetSnapshot s, Instant now) {
        Labels target = Labels.of("target", s.target());
        boolean fresh = !s.stale(now, staleAfter);
        f.gauge("up", "1 if the last poll returned a valid import status, else 0", target, s.upAt(now, staleAfter) ? 1 : 0);
        s.lastSuccessAt().ifPresent(t -> f.gauge("last_success_timestamp_seconds",
                "Unix time of the last good poll", target, seconds(t)));
        s.rateLimitRemaining().ifPresent(r -> f.gauge("rate_limit_remaining",
                "X-RateLimit-Remaining of the last answer", target, r));
        // Identity, not import data: it stays while the status is stale, like build_info.
        s.serverVersion().ifPresent(v -> f.gauge("server_info", "Rocket.Chat version the target reports at /api/info",
                target.add("version", v.text()), 1));
        if (!fresh || s.status().isEmpty()) {
            return; // stale: data series disappear so Prometheus staleness and absent() work
        }
        ImportState state = s.state();
        for (ImportState candidate : ImportState.values()) {
            f.gauge("state", "Reported import state: exactly one series is 1",
                    target.add("state", candidate.label()), candidate == state ? 1 : 0);
        }
        ImportCounts c = s.counts();
        if (s.operation().isPresent()) {
            ImportOperation op = s.operation().get();
            f.gauge("operation_info", "The current import operation", Labels.of(
                    "target", s.target(), "operation_id", op.id(), "importer_key", op.importerKey(),
                    "type", op.type(), "status", op.status(), "valid", Boolean.toString(op.valid())), 1);
            f.gauge("records", "count.total of the operation", target, c.total());
            f.gauge("records_completed", "count.completed of the operation", target, c.completed());
            f.gauge("records_failed", "count.error of the operation", target, c.error());
            f.gauge("staged_records", "Records staged for import, by kind", target.add("kind", "users"), c.users());
            f.gauge("staged_records", "Records staged for import, by kind", target.add("kind", "channels"), c.channels());
            f.gauge("staged_records", "Records staged for import, by kind", target.add("kind", "messages"), c.messages());
            f.gauge("staged_records", "Records staged for import, by kind", target.add("kind", "contacts"), c.contacts());
            s.progressRatio().ifPresent(p -> f.gauge("progress_ratio", "(completed + error) / total", target, p));
            s.recordsPerSecond().ifPresent(r -> f.gauge("records_per_second",
                    "Records processed per second over the recent window", target, r));
            s.etaSeconds().ifPresent(e -> f.gauge("eta_seconds", "Estimated seconds until the import finishes", target, e));
            op.createdAt().ifPresent(t -> f.gauge("operation_created_timestamp_seconds",
                    "operation.ts as Unix time", target, seconds(t)));
            op.updatedAt().ifPresent(t -> f.gauge("operation_updated_timestamp_seconds",
                    "operation._updatedAt as Unix time: the importer's heartbeat", target, seconds(t)));
        }
        f.gauge("stalled", "1 while loading or importing with _updatedAt unchanged for stall_after (never at a step that waits for an admin)",
                target, s.stalled() ? 1 : 0);
        f.gauge("awaiting_operator", "1 while the import waits for an admin (file loaded, user selection) with _updatedAt unchanged for awaiting_operator_after",
                target, s.awaitingOperator() ? 1 : 0);
    }

    private static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }

    /** Collects data points per metric name, in first-seen order, then builds the snapshots. */
    private static final class Families {
        private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();

        void gauge(String name, String help, Labels labels, double value) {
            gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(PREFIX + n).help(help))
                    .dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        MetricSnapshots build() {
            List<MetricSnapshot> out = new ArrayList<>(gauges.size());
            gauges.values().forEach(b -> out.add(b.build()));
            return new MetricSnapshots(out);
        }
    }

}
