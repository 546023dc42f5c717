package io.rcimport.exporter.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reload changes, worked out from the running and the new configuration alone (pure):
 * the targets to stop (removed, or changed in url, credentials or TLS), the targets to start
 * (new, or changed), the targets that carry on untouched, and the sections that differ but
 * only take effect after a restart. A target whose labels alone changed carries on (it is
 * {@code kept}: same poller, breaker and history): nothing reads the labels from the running
 * poller, every view looks them up in the {@link #applied()} configuration.
 */
public record ConfigChange(List<String> stopped, List<Config.Target> started, List<String> kept,
                           List<String> needRestart, Config applied) {

    public ConfigChange {
        stopped = List.copyOf(stopped);
        started = List.copyOf(started);
        kept = List.copyOf(kept);
        needRestart = List.copyOf(needRestart);
    }

    public static ConfigChange between(Config running, Config next) {
        Map<String, Config.Target> before = byName(running.ownedTargets());
        Map<String, Config.Target> after = byName(next.ownedTargets());
        List<String> stopped = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (Config.Target old : before.values()) {
            if (samePolling(old, after.get(old.name()))) {
                kept.add(old.name());
            } else {
                stopped.add(old.name());
            }
        }
        List<Config.Target> started = after.values().stream().filter(t -> !samePolling(before.get(t.name()), t)).toList();
        List<String> needRestart = new ArrayList<>();
        if (!next.server().equals(running.server())) {
            needRestart.add("server");
        }
        if (!next.poll().equals(running.poll())) {
            needRestart.add("poll");
        }
        if (!next.retry().equals(running.retry())) {
            needRestart.add("retry");
        }
        if (!next.circuitBreaker().equals(running.circuitBreaker())) {
            needRestart.add("circuit_breaker");
        }
        if (!next.alerting().equals(running.alerting())) {
            needRestart.add("alerting");
        }
        if (!next.storage().equals(running.storage())) {
            needRestart.add("storage");
        }
        // Only the targets change at runtime: every other section stays as the agent started
        // (the scheduler, HTTP clients, staleness and alerting were built from it).
        Config applied = new Config(running.server(), running.poll(), running.retry(), running.circuitBreaker(),
                next.targets(), running.alerting(), next.targetsFile(), next.shard(), running.storage());
        return new ConfigChange(stopped, started, kept, needRestart, applied);
    }

    /** The targets polled after the change, in configuration order. */
    public List<String> targetNames() {
        return applied.ownedTargets().stream().map(Config.Target::name).toList();
    }

    /** For the log and the {@code POST /-/reload} answer. */
    public String summary() {
        long changed = started.stream().filter(t -> stopped.contains(t.name())).count();
        return "targets: " + targetNames().size() + " (" + started.size() + " started, " + stopped.size() + " stopped"
                + ", of which changed " + changed + ")"
                + (needRestart.isEmpty() ? "" : "; changes to " + String.join(", ", needRestart) + " need a restart (not applied)");
    }

    /** Whether {@code next} is polled as {@code old} is: equal but for the labels. */
    private static boolean samePolling(Config.Target old, Config.Target next) {
        return old != null && next != null && old.withLabels(Map.of()).equals(next.withLabels(Map.of()));
    }

    private static Map<String, Config.Target> byName(List<Config.Target> targets) {
        Map<String, Config.Target> m = new LinkedHashMap<>();
        targets.forEach(t -> m.put(t.name(), t));
        return m;
    }
}
