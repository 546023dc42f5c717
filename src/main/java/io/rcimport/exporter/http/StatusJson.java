package io.rcimport.exporter.http;

import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.status.TargetSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code /status} view of snapshots: plain maps in a stable key order, ready for Jackson.
 * Holds no secrets: snapshots never contain any.
 */
public final class StatusJson {
    private final Duration staleAfter;
    private final Function<String, String> breakerState;
    private final Function<String, List<Alert>> firingAlerts;
    private final Function<String, Map<String, String>> targetLabels;

    /** Without alerts: every target's {@code alerts} is empty. */
    public StatusJson(Duration staleAfter, Function<String, String> breakerState) {
        this(staleAfter, breakerState, target -> List.of());
    }

    /** {@code firingAlerts}: the agent's firing alerts of one target (for {@code alerts}). */
    public StatusJson(Duration staleAfter, Function<String, String> breakerState, Function<String, List<Alert>> firingAlerts) {
        this(staleAfter, breakerState, firingAlerts, target -> Map.of());
    }

    /** {@code targetLabels}: a target's configured labels (for {@code labels}). */
    public StatusJson(Duration staleAfter, Function<String, String> breakerState, Function<String, List<Alert>> firingAlerts,
                      Function<String, Map<String, String>> targetLabels) {
        this.targetLabels = targetLabels;
        this.staleAfter = staleAfter;
        this.breakerState = breakerState;
        this.firingAlerts = firingAlerts;
    }

    public Map<String, Object> all(List<TargetSnapshot> snapshots, Instant now, String version) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", version);
        root.put("now", now.toString());
        root.put("targets", snapshots.stream().map(s -> target(s, now)).toList());
        return root;
    }

    public Map<String, Object> target(TargetSnapshot s, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", s.target());
        m.put("up", s.upAt(now, staleAfter));
        m.put("state", s.state().label());
        m.put("state_since", s.stateSince().map(Instant::toString).orElse(null));
        m.put("operation", s.operation().map(StatusJson::operation).orElse(null));
        m.put("progress", s.progressRatio().isPresent() ? s.progressRatio().getAsDouble() : null);
        m.put("records_per_second", s.recordsPerSecond().isPresent() ? round(s.recordsPerSecond().getAsDouble()) : null);
        m.put("eta_seconds", s.etaSeconds().isPresent() ? Math.round(s.etaSeconds().getAsDouble()) : null);
        m.put("stalled", s.stalled());
        m.put("awaiting_operator", s.awaitingOperator());
        m.put("fetched_at", s.lastSuccessAt().map(Instant::toString).orElse(null));
        m.put("age_seconds", s.lastSuccessAt().map(t -> Duration.between(t, now).toMillis() / 1000.0).orElse(null));
        m.put("stale", s.stale(now, staleAfter));
        m.put("last_poll_at", s.lastPollAt().map(Instant::toString).orElse(null));
        m.put("last_outcome", s.lastOutcome().map(o -> o.label()).orElse(null));
        m.put("last_error", s.lastError().map(e -> {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("outcome", e.outcome().label());
            err.put("message", e.message());
            err.put("at", e.at().toString());
            return err;
        }).orElse(null));
        m.put("consecutive_failures", s.consecutiveFailures());
        m.put("rate_limit_remaining", s.rateLimitRemaining().isPresent() ? s.rateLimitRemaining().getAsLong() : null);
        m.put("next_call_not_before", s.notBefore().map(Instant::toString).orElse(null));
        m.put("circuit_breaker", breakerState.apply(s.target()));
        m.put("server_version", s.serverVersion().map(v -> v.text()).orElse(null));
        m.put("alerts", firingAlerts.apply(s.target()).stream()
                .sorted(Comparator.comparing(Alert::name))
                .map(StatusJson::alert).toList());
        m.put("labels", targetLabels.apply(s.target()));
        return m;
    }

    /**
     * {@code /status/{target}}: the target's entry of {@code /status} plus its
     * {@code recent_operations} (kept out of {@code /status}, where a fleet would multiply them).
     */
    public Map<String, Object> targetDetail(TargetSnapshot s, Instant now) {
        Map<String, Object> m = target(s, now);
        m.put("recent_operations", s.recentOperations().stream().map(StatusJson::recentOperation).toList());
        return m;
    }

    /** One entry of {@code getLatestImportOperations}, with the state the server would derive for it. */
    private static Map<String, Object> recentOperation(ImportOperation op) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operation_id", op.id());
        m.put("importer_key", op.importerKey());
        m.put("type", op.type());
        m.put("status", op.status());
        m.put("state", ImportState.derive(op.status(), op.valid()).label());
        m.put("valid", op.valid());
        m.put("created_at", op.createdAt().map(Instant::toString).orElse(null));
        m.put("updated_at", op.updatedAt().map(Instant::toString).orElse(null));
        m.put("duration_seconds", op.createdAt().isPresent() && op.updatedAt().isPresent()
                ? Math.max(0, Duration.between(op.createdAt().get(), op.updatedAt().get()).toMillis() / 1000.0)
                : null);
        m.put("counts", op.counts().byField());
        return m;
    }

    private static Map<String, Object> operation(ImportOperation op) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", op.id());
        m.put("type", op.type());
        m.put("importer_key", op.importerKey());
        m.put("status", op.status());
        m.put("valid", op.valid());
        m.put("created_at", op.createdAt().map(Instant::toString).orElse(null));
        m.put("updated_at", op.updatedAt().map(Instant::toString).orElse(null));
        m.put("count", op.counts().byField());
        return m;
    }

    private static Map<String, Object> alert(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alertname", a.name());
        m.put("severity", a.severity().label());
        m.put("summary", a.summary());
        m.put("starts_at", a.startsAt().toString());
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

}
