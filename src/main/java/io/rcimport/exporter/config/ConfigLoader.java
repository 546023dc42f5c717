package io.rcimport.exporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads config.yaml into a validated {@link Config}. Every key but {@code targets} has a default;
 * unknown keys are errors; {@code ${VAR}} and {@code ${VAR:-default}} in values come from
 * {@code env}. Every error is a {@link ConfigException} naming the key path, never a secret.
 *
 * <p>Each section reader reads its keys (one line per key), calls {@link YamlMap#finish()} to
 * reject unknown keys, and then checks the rules that span keys.
 */
public final class ConfigLoader {
    /** resilience4j allocates the whole window per breaker up front; keep it sane. */
    static final int MAX_WINDOW = 1000;

    private ConfigLoader() {
    }

    public static Config load(Path file, Map<String, String> env) throws ConfigException {
        if (Files.isDirectory(file)) {
            throw new ConfigException("", "config file " + file + " is a directory");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "config file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigException("", "cannot read config file " + file + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException("", "config file " + file + " is not valid UTF-8");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read config file " + file + ": " + e.getClass().getSimpleName());
        }
        return parse(text, env);
    }

    public static Config parse(String yamlText, Map<String, String> env) throws ConfigException {
        JsonNode root = YamlTree.read(yamlText)
                .filter(node -> !(node.isTextual() && node.textValue().isEmpty()))
                .orElseThrow(() -> new ConfigException("", "the configuration is empty; at least one target is required"));
        if (!root.isObject()) {
            throw new ConfigException("", "expected a mapping of keys at the top level (server, poll, retry, "
                    + "circuit_breaker, targets, alerting), got " + (root.isArray() ? "a list" : "a single value"));
        }
        YamlMap top = YamlMap.root((ObjectNode) root, new EnvExpander(env));
        Config.Server server = server(top.section("server"));
        Config.Poll poll = poll(top.section("poll"));
        Config.Retry retry = retry(top.section("retry"));
        Config.CircuitBreaker breaker = circuitBreaker(top.section("circuit_breaker"));
        List<Config.Target> targets = TargetsReader.targets(top, "targets");
        Config.Alerting alerting = AlertingReader.alerting(top.section("alerting"));
        top.finish();
        if (targets.isEmpty()) {
            throw top.error("targets", "at least one target is required");
        }
        return new Config(server, poll, retry, breaker, targets, alerting);
    }

    private static Config.Server server(YamlMap m) throws ConfigException {
        Config.Server d = Config.Server.defaults();
        Config.Server server = new Config.Server(
                m.nonEmptyString("host", d.host()),
                m.integer("port", d.port(), 0, 65535)); // 0: any free port (tests)
        m.finish();
        if (server.host().chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            throw m.error("host", "expected a host name or IP address to listen on, got \"" + server.host() + "\"");
        }
        return server;
    }

    private static Config.Poll poll(YamlMap m) throws ConfigException {
        Config.Poll d = Config.Poll.defaults();
        Config.Poll poll = new Config.Poll(
                m.duration("interval", d.interval()),
                m.duration("timeout", d.timeout()),
                m.duration("stale_after", d.staleAfter()),
                m.duration("stall_after", d.stallAfter()));
        m.finish();
        if (poll.timeout().compareTo(poll.interval()) >= 0) {
            throw m.error("timeout", "must be less than poll.interval (" + got(m, "interval", poll.interval())
                    + "), got " + got(m, "timeout", poll.timeout()));
        }
        if (poll.staleAfter().compareTo(poll.interval()) < 0) {
            throw m.error("stale_after", "must be at least poll.interval (" + got(m, "interval", poll.interval())
                    + "), got " + got(m, "stale_after", poll.staleAfter()));
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
