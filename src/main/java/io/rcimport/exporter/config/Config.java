package io.rcimport.exporter.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole validated configuration, immutable. Built only by {@link ConfigLoader}; every
 * section has the defaults of DESIGN.md's config.yaml.
 */
public record Config(
        Server server,
        Poll poll,
        Retry retry,
        CircuitBreaker circuitBreaker,
        List<Target> targets,
        Alerting alerting) {

    public Config {
        targets = List.copyOf(targets);
    }

    /** The agent's own HTTP server. */
    public record Server(String host, int port) {
        public static Server defaults() {
            return new Server("0.0.0.0", 9467);
        }
    }

    /** How often and how patiently each target is polled. */
    public record Poll(Duration interval, Duration timeout, Duration staleAfter, Duration stallAfter) {
        public static Poll defaults() {
            return new Poll(Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(10));
        }
    }

    /** Attempts within one poll, first included; exponential backoff with jitter between them. */
    public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        public static Retry defaults() {
            return new Retry(3, Duration.ofMillis(250), Duration.ofSeconds(2));
        }
    }

    /** Count-based breaker over the last {@code window} polls. */
    public record CircuitBreaker(int failureRateThreshold, int window, int minimumPolls, Duration openFor) {
        public static CircuitBreaker defaults() {
            return new CircuitBreaker(50, 10, 5, Duration.ofMinutes(1));
        }
    }

    /** One Rocket.Chat server. {@code name} is the {@code target} label. */
    public record Target(String name, URI url, Auth auth) {
    }

    /** How the agent authenticates to a target. */
    public sealed interface Auth permits TokenAuth, PasswordAuth {
    }

    /** {@code X-User-Id} / {@code X-Auth-Token}, ideally a personal access token. */
    public record TokenAuth(String userId, Secret authToken) implements Auth {
    }

    /** Log in once with {@code POST /api/v1/login} and reuse the token. */
    public record PasswordAuth(String username, Secret password) implements Auth {
    }

    /** Alert delivery. Empty lists mean: evaluate and log only. */
    public record Alerting(
            List<Alertmanager> alertmanagers,
            Duration resendInterval,
            List<Webhook> webhooks,
            Optional<URI> externalUrl) {
        public Alerting {
            alertmanagers = List.copyOf(alertmanagers);
            webhooks = List.copyOf(webhooks);
        }

        public static Alerting defaults() {
            return new Alerting(List.of(), Duration.ofMinutes(1), List.of(), Optional.empty());
        }
    }

    public record Alertmanager(URI url) {
    }

    public enum WebhookFormat { JSON, ROCKETCHAT }

    /** Header values are secrets: they often carry tokens. */
    public record Webhook(URI url, WebhookFormat format, Map<String, Secret> headers) {
        public Webhook {
            headers = Map.copyOf(headers);
        }
    }

    public Optional<Target> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
