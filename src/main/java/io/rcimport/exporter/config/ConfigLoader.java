package io.rcimport.exporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads config.yaml into a validated {@link Config}. Every key but {@code targets} has a default
 * (and {@code targets} may be left out when {@code targets_file} supplies the targets);
 * unknown keys are errors; {@code ${VAR}} and {@code ${VAR:-default}} in values come from
 * {@code env}. Every error is a {@link ConfigException} naming the key path, never a secret.
 *
 * <p>Each section reader reads its keys (one line per key), calls {@link YamlMap#finish()} to
 * reject unknown keys, and then checks the rules that span keys. Files the configuration names
 * ({@code targets_file}, PEM files) are resolved against config.yaml's directory and checked
 * here too, so {@code --check-config} catches a missing or swapped file.
 */
public final class ConfigLoader {
    /** resilience4j allocates the whole window per breaker up front; keep it sane. */
    static final int MAX_WINDOW = 1000;
    private static final String TOP_LEVEL_KEYS = "server, poll, retry, circuit_breaker, targets, targets_file, shard, alerting, storage";

    private ConfigLoader() {
    }

    public static Config load(Path file, Map<String, String> env) throws ConfigException {
        String text = ConfigFiles.readText("", "config file", file, Long.MAX_VALUE);
        Path absolute = file.toAbsolutePath();
        return parse(text, env, absolute.getParent(), String.valueOf(file.getFileName()));
    }

    /** A configuration not read from a file: relative paths in it resolve against the working directory. */
    public static Config parse(String yamlText, Map<String, String> env) throws ConfigException {
        return parse(yamlText, env, Path.of("").toAbsolutePath(), "the config file");
    }

    /**
     * The targets of a {@code targets_file} alone, for an agent that watches the file
     * ({@link Config#targetsFile()}): validated as {@link #load} validates them, names unique
     * within the file, possibly empty. The caller merges them with config.yaml's own targets
     * (names must stay unique across both, and the merged set non-empty), or simply loads the
     * whole configuration again.
     */
    public static List<Config.Target> loadTargetsFile(Path file, Map<String, String> env) throws ConfigException {
        return TargetsFile.read(file.toAbsolutePath().normalize(), file.toString(), new EnvExpander(env));
    }

    /**
     * @param baseDir    the directory relative file names resolve against
     * @param configName how messages call this configuration's file ("config.yaml")
     */
    static Config parse(String yamlText, Map<String, String> env, Path baseDir, String configName) throws ConfigException {
        JsonNode root = YamlTree.read(yamlText)
                .filter(node -> !(node.isTextual() && node.textValue().isEmpty()))
                .orElseThrow(() -> new ConfigException("", "the configuration is empty; at least one target is required"));
        if (!root.isObject()) {
            throw new ConfigException("", "expected a mapping of keys at the top level (" + TOP_LEVEL_KEYS + "), got "
                    + (root.isArray() ? "a list" : "a single value"));
        }
        EnvExpander expander = new EnvExpander(env);
        YamlMap top = YamlMap.root((ObjectNode) root, expander, baseDir);
        Config.Server server = ServerReader.server(top.section("server"));
        Config.Poll poll = poll(top.section("poll"));
        Config.Retry retry = retry(top.section("retry"));
        Config.CircuitBreaker breaker = circuitBreaker(top.section("circuit_breaker"));
        List<Config.Target> inline = TargetsReader.targets(top, "targets");
        Optional<Path> targetsFile = top.file(TargetsFile.KEY);
        Config.Shard shard = shard(top.section("shard"));
        Config.Alerting alerting = AlertingReader.alerting(top.section("alerting"));
        Config.Storage storage = storage(top.section("storage"));
        top.finish();

        List<Config.Target> targets = new ArrayList<>(inline);
        if (targetsFile.isPresent()) {
            String displayName = displayName(baseDir, targetsFile.get());
            List<Config.Target> fromFile = TargetsFile.read(targetsFile.get(), displayName, expander);
            TargetsReader.requireDistinct(inline, fromFile, TargetsFile.listKey(displayName), configName);
            targets.addAll(fromFile);
            if (targets.isEmpty()) {
                throw top.error("targets", "at least one target is required; targets is empty and "
                        + TargetsFile.KEY + " (" + displayName + ") holds none");
            }
        }
        if (targets.isEmpty()) {
            throw top.error("targets", "at least one target is required");
        }
        return new Config(server, poll, retry, breaker, targets, alerting, targetsFile, shard, storage);
    }

    /** A file below the config's directory by its relative name, any other by its absolute path. */
    private static String displayName(Path baseDir, Path file) {
        Path base = baseDir.toAbsolutePath().normalize();
        return file.startsWith(base) ? base.relativize(file).toString() : file.toString();
    }

    /**
     * Only the name is read here: the directory is created and checked when the agent starts
     * (StateFile.open), so that {@code --check-config} creates nothing.
     */
    private static Config.Storage storage(YamlMap m) throws ConfigException {
        Optional<Path> path = m.file("path");
        m.finish();
        return new Config.Storage(path);
    }

    private static Config.Shard shard(YamlMap m) throws ConfigException {
        Config.Shard d = Config.Shard.defaults();
        int index = m.integer("index", d.index(), 0, Integer.MAX_VALUE);
        int count = m.integer("count", d.count(), 1, Integer.MAX_VALUE);
        m.finish();
        if (index >= count) {
            throw m.error("index", "must be less than shard.count (" + got(m, "count", count) + "), got " + index
                    + " (the agents of a fleet of " + count + " have the indexes 0 to " + (count - 1) + ")");
        }
        return new Config.Shard(index, count);
    }

    private static Config.Poll poll(YamlMap m) throws ConfigException {
        Config.Poll d = Config.Poll.defaults();
        Config.Poll poll = new Config.Poll(
                m.duration("interval", d.interval()),
                m.duration("timeout", d.timeout()),
                m.duration("stale_after", d.staleAfter()),
                m.duration("stall_after", d.stallAfter()),
                m.duration("awaiting_operator_after", d.awaitingOperatorAfter()),
                m.durationOrZero("history_interval", d.historyInterval()));
        m.finish();
        if (poll.timeout().compareTo(poll.interval()) >= 0) {
            throw m.error("timeout", "must be less than poll.interval (" + got(m, "interval", poll.interval())
                    + "), got " + got(m, "timeout", poll.timeout()));
        }
        // Polls run a fixed delay after the previous one ends, so good polls are always a bit more
        // than one interval apart: stale_after must leave room for at least one missed poll, or a
        // healthy target would go stale (and its series vanish) every cycle.
        if (poll.staleAfter().compareTo(poll.interval().multipliedBy(2)) < 0) {
            throw m.error("stale_after", "must be at least twice poll.interval (" + got(m, "interval", poll.interval())
                    + "), got " + got(m, "stale_after", poll.staleAfter()));
        }
        // The history route has its own rate-limit bucket, but a call per poll would still spend it
        // for nothing: operations change far less often than the status.
        if (!poll.historyInterval().isZero() && poll.historyInterval().compareTo(poll.interval()) < 0) {
            throw m.error("history_interval", "must be 0 (off) or at least poll.interval (" + got(m, "interval", poll.interval())
                    + "), got " + got(m, "history_interval", poll.historyInterval()));
        }
        return poll;
    }

    private static Config.Retry retry(YamlMap m) throws ConfigException {
        Config.Retry d = Config.Retry.defaults();
        Config.Retry retry = new Config.Retry(
                m.integer("max_attempts", d.maxAttempts(), 1, 10),
                m.duration("initial_backoff", d.initialBackoff()),
                m.duration("max_backoff", d.maxBackoff()));
        m.finish();
        if (retry.initialBackoff().compareTo(retry.maxBackoff()) > 0) {
            throw m.error("initial_backoff", "must not exceed retry.max_backoff (" + got(m, "max_backoff", retry.maxBackoff())
                    + "), got " + got(m, "initial_backoff", retry.initialBackoff()));
        }
        return retry;
    }

    private static Config.CircuitBreaker circuitBreaker(YamlMap m) throws ConfigException {
        Config.CircuitBreaker d = Config.CircuitBreaker.defaults();
        Config.CircuitBreaker breaker = new Config.CircuitBreaker(
                m.integer("failure_rate_threshold", d.failureRateThreshold(), 1, 100),
                m.integer("window", d.window(), 1, MAX_WINDOW),
                m.integer("minimum_polls", d.minimumPolls(), 1, MAX_WINDOW),
                m.duration("open_for", d.openFor()));
        m.finish();
        if (breaker.minimumPolls() > breaker.window()) {
            throw m.error("minimum_polls", "must not exceed circuit_breaker.window (" + got(m, "window", breaker.window())
                    + "), got " + got(m, "minimum_polls", breaker.minimumPolls()));
        }
        return breaker;
    }

    /** A value for a message, marked when it is the default rather than written in the file. */
    private static String got(YamlMap m, String key, Object value) {
        String text = value instanceof Duration duration ? Durations.format(duration) : String.valueOf(value);
        return m.has(key) ? text : text + " (the default)";
    }
}
