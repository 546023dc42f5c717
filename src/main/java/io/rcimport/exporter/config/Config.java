package io.rcimport.exporter.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole validated configuration, immutable. Built only by {@link ConfigLoader}; every
 * section has the defaults of DESIGN.md's config.yaml.
 *
 * <p>{@code targets} is every target: those of config.yaml's {@code targets:} followed by those of
 * {@code targets_file}, names unique across both. {@link #ownedTargets()} is the part this agent
 * polls when the fleet is split into {@link Shard shards}.
 *
 * @param targetsFile the absolute, normalised path of {@code targets_file}, so that the agent can
 *                    watch it; re-read it with {@link ConfigLoader#loadTargetsFile}
 * @param storage     where the agent keeps its state across restarts; {@link Storage#defaults()}: nowhere
 */
public record Config(
        Server server,
        Poll poll,
        Retry retry,
        CircuitBreaker circuitBreaker,
        List<Target> targets,
        Alerting alerting,
        Optional<Path> targetsFile,
        Shard shard,
        Storage storage) {

    public Config {
        targets = List.copyOf(targets);
        targetsFile = targetsFile.map(file -> file.toAbsolutePath().normalize());
    }

    /** Without storage (memory only). */
    public Config(Server server, Poll poll, Retry retry, CircuitBreaker circuitBreaker, List<Target> targets, Alerting alerting,
                  Optional<Path> targetsFile, Shard shard) {
        this(server, poll, retry, circuitBreaker, targets, alerting, targetsFile, shard, Storage.defaults());
    }

    /** Without a targets file, unsharded. */
    public Config(Server server, Poll poll, Retry retry, CircuitBreaker circuitBreaker, List<Target> targets, Alerting alerting) {
        this(server, poll, retry, circuitBreaker, targets, alerting, Optional.empty(), Shard.defaults());
    }

    /**
     * The agent's own HTTP server.
     *
     * @param tls          serve HTTPS with this certificate; empty: plain HTTP
     * @param auth         who may call the endpoints; {@link WebAuth#none()}: anyone
     * @param enableReload whether {@code POST /-/reload} re-reads the configuration
     */
    public record Server(String host, int port, Optional<ServerTls> tls, WebAuth auth, boolean enableReload) {
        /** Plain HTTP, no authentication, no reload endpoint. */
        public Server(String host, int port) {
            this(host, port, Optional.empty(), WebAuth.none(), false);
        }

        public static Server defaults() {
            return new Server("0.0.0.0", 9467);
        }
    }

    /**
     * PEM files for HTTPS: the certificate (chain) and its unencrypted private key, and for mutual
     * TLS the CA certificate(s) a client's certificate must be signed by, whether a client
     * certificate is required, and the SANs one of which it must carry (empty: any). Paths are
     * absolute. All three files are re-read when they change.
     */
    public record ServerTls(Path certFile, Path keyFile, Optional<Path> clientCaFile, ClientAuth clientAuthType,
            List<String> clientAllowedSans) {
        public ServerTls {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(clientCaFile, "clientCaFile");
            Objects.requireNonNull(clientAuthType, "clientAuthType");
            clientAllowedSans = List.copyOf(clientAllowedSans);
        }

        /** HTTPS without client certificates. */
        public ServerTls(Path certFile, Path keyFile) {
            this(certFile, keyFile, Optional.empty(), ClientAuth.NO_CLIENT_CERT, List.of());
        }

        /** Mutual TLS: every client presents a certificate signed by a CA in {@code clientCaFile}. */
        public static ServerTls mutual(Path certFile, Path keyFile, Path clientCaFile, List<String> clientAllowedSans) {
            return new ServerTls(certFile, keyFile, Optional.of(clientCaFile), ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT,
                    clientAllowedSans);
        }
    }

    /** {@code server.tls.client_auth_type}, with exporter-toolkit's names. */
    public enum ClientAuth {
        NO_CLIENT_CERT("NoClientCert"),
        REQUIRE_AND_VERIFY_CLIENT_CERT("RequireAndVerifyClientCert");

        private final String configName;

        ClientAuth(String configName) {
            this.configName = configName;
        }

        /** The name in the configuration file. */
        public String configName() {
            return configName;
        }

        /** The value for a name in the configuration file, if it is one. */
        public static Optional<ClientAuth> byConfigName(String name) {
            for (ClientAuth a : values()) {
                if (a.configName.equals(name)) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Credentials a caller of the agent's endpoints must present, like Prometheus'
     * exporter-toolkit web config. Either kind is enough when both are configured.
     *
     * @param basicAuthUsers username to bcrypt hash ({@code $2a$}, {@code $2b$} or {@code $2y$})
     * @param bearerTokens   accepted {@code Authorization: Bearer} tokens
     */
    public record WebAuth(Map<String, Secret> basicAuthUsers, List<Secret> bearerTokens) {
        public WebAuth {
            basicAuthUsers = Map.copyOf(basicAuthUsers);
            bearerTokens = List.copyOf(bearerTokens);
        }

        /** Anyone may call every endpoint. */
        public static WebAuth none() {
            return new WebAuth(Map.of(), List.of());
        }

        /** Whether a request must carry credentials. */
        public boolean required() {
            return !basicAuthUsers.isEmpty() || !bearerTokens.isEmpty();
        }
    }

    /**
     * How often and how patiently each target is polled.
     *
     * @param awaitingOperatorAfter at a step that waits for an admin, the heartbeat unchanged this long is "awaiting an operator"
     * @param historyInterval       how often the recent operations are fetched; zero: never
     */
    public record Poll(Duration interval, Duration timeout, Duration staleAfter, Duration stallAfter,
                       Duration awaitingOperatorAfter, Duration historyInterval) {
        public static final Duration DEFAULT_AWAITING_OPERATOR_AFTER = Duration.ofMinutes(30);
        public static final Duration DEFAULT_HISTORY_INTERVAL = Duration.ofMinutes(5);

        /** With the defaults of {@code awaiting_operator_after} and {@code history_interval}. */
        public Poll(Duration interval, Duration timeout, Duration staleAfter, Duration stallAfter) {
            this(interval, timeout, staleAfter, stallAfter, DEFAULT_AWAITING_OPERATOR_AFTER, DEFAULT_HISTORY_INTERVAL);
        }

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

    /**
     * One Rocket.Chat server. {@code name} is the {@code target} label. {@code labels}: the
     * target's own labels (team, env) in configuration order; never on {@code /metrics} series,
     * but in {@code /sd}, {@code /status}, on alerts and in webhook events. A change of labels
     * alone is applied on reload without restarting the target ({@link ConfigChange}).
     */
    public record Target(String name, URI url, Auth auth, TargetTls tls, Map<String, String> labels) {
        public Target {
            url = baseUrl(url);
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }

        /** Without labels. */
        public Target(String name, URI url, Auth auth, TargetTls tls) {
            this(name, url, auth, tls, Map.of());
        }

        /** With the JVM's default certificate checks ({@link TargetTls#verify()}), without labels. */
        public Target(String name, URI url, Auth auth) {
            this(name, url, auth, TargetTls.verify());
        }

        /** This target with other labels. */
        public Target withLabels(Map<String, String> newLabels) {
            return new Target(name, url, auth, tls, newLabels);
        }
    }

    /**
     * How the agent checks an https target's certificate. Only https targets have anything but
     * {@link #verify()}.
     *
     * @param caFile             trust the certificates in this PEM file (absolute path) instead of the JVM's
     * @param insecureSkipVerify accept any certificate and host name; for tests only
     */
    public record TargetTls(Optional<Path> caFile, boolean insecureSkipVerify) {
        /** The JVM's trust store and host name verification. */
        public static TargetTls verify() {
            return new TargetTls(Optional.empty(), false);
        }
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
    /**
     * @param runbookBaseUrl an alert's {@code runbook_url} is this followed by the alert name in
     *                       lower case (e.g. {@code ...README.md#rocketchatimportfailed}); default
     *                       {@link #DEFAULT_RUNBOOK_BASE_URL}, the README's runbook sections
     */
    public record Alerting(
            List<Alertmanager> alertmanagers,
            Duration resendInterval,
            List<Webhook> webhooks,
            Optional<URI> externalUrl,
            String runbookBaseUrl) {
        /** The README's alert runbooks: {@code ### <AlertName>} headings, GitHub anchors in lower case. */
        public static final String DEFAULT_RUNBOOK_BASE_URL =
                "https://github.com/rcimport/rocketchat-import-exporter/blob/main/README.md#";

        public Alerting {
            externalUrl = externalUrl.map(Config::baseUrl);
            alertmanagers = List.copyOf(alertmanagers);
            webhooks = List.copyOf(webhooks);
            java.util.Objects.requireNonNull(runbookBaseUrl, "runbookBaseUrl");
        }

        /** With the default runbook base (the README). */
        public Alerting(List<Alertmanager> alertmanagers, Duration resendInterval, List<Webhook> webhooks,
                        Optional<URI> externalUrl) {
            this(alertmanagers, resendInterval, webhooks, externalUrl, DEFAULT_RUNBOOK_BASE_URL);
        }

        public static Alerting defaults() {
            return new Alerting(List.of(), Duration.ofMinutes(1), List.of(), Optional.empty());
        }

        /** The {@code runbook_url} annotation of the alert {@code alertname}. */
        public String runbookUrl(String alertname) {
            return runbookUrl(runbookBaseUrl, alertname);
        }

        public static String runbookUrl(String base, String alertname) {
            return base + alertname.toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Alertmanager(URI url) {
        public Alertmanager {
            url = baseUrl(url);
        }
    }

    /**
     * A base URL other paths are appended to, without its trailing slashes, so that
     * {@code https://chat.example.com/} + {@code /api/v1/...} has no double slash. Done here,
     * once, for every way a configuration is built (the loader, --demo, tests).
     */
    public static URI baseUrl(URI url) {
        String s = url.toString();
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return end == s.length() ? url : URI.create(s.substring(0, end));
    }

    public enum WebhookFormat { JSON, ROCKETCHAT }

    /**
     * Header values are secrets: they often carry tokens. {@code maxPerMinute}: posts a minute
     * to this URL at most, 0 = unlimited; events beyond it go out as one digest.
     */
    public record Webhook(URI url, WebhookFormat format, Map<String, Secret> headers, int maxPerMinute) {
        /** Rocket.Chat accepts 10 requests a minute per incoming-webhook URL. */
        public static final int ROCKETCHAT_MAX_PER_MINUTE = 10;
        public static final int MAX_PER_MINUTE_LIMIT = 10_000;

        public Webhook {
            headers = Map.copyOf(headers);
            if (maxPerMinute < 0 || maxPerMinute > MAX_PER_MINUTE_LIMIT) {
                throw new IllegalArgumentException("maxPerMinute out of range: " + maxPerMinute);
            }
        }

        /** With the format's default limit. */
        public Webhook(URI url, WebhookFormat format, Map<String, Secret> headers) {
            this(url, format, headers, defaultMaxPerMinute(format));
        }

        public static int defaultMaxPerMinute(WebhookFormat format) {
            return format == WebhookFormat.ROCKETCHAT ? ROCKETCHAT_MAX_PER_MINUTE : 0;
        }
    }

    /**
     * One agent's part of a fleet split over {@code count} agents: the agent with {@code index}
     * polls the targets whose name hashes to it. Every agent of the fleet gets the same targets
     * and the same {@code count}, and its own {@code index}; each target is then polled by exactly
     * one agent.
     *
     * <p>The hash is Prometheus' {@code hashmod} relabel action: MD5 of the target name (UTF-8),
     * the last 8 bytes of the digest read as an unsigned big-endian 64-bit integer, modulo
     * {@code count} — so {@code hashmod} on the same name in a Prometheus relabel config gives
     * the same shard. It depends on nothing but the name and {@code count}, so it is stable across
     * versions, JVMs and restarts, and it is a contract: changing it moves targets between agents.
     */
    public record Shard(int index, int count) {
        public Shard {
            if (count < 1 || index < 0 || index >= count) {
                throw new IllegalArgumentException("shard index " + index + " of count " + count
                        + ": need count >= 1 and 0 <= index < count");
            }
        }

        /** The whole fleet: index 0 of 1. */
        public static Shard defaults() {
            return new Shard(0, 1);
        }

        /** Whether this shard polls the target of that name. */
        public boolean owns(String targetName) {
            return shardOf(targetName) == index;
        }

        /** The index, 0 to count - 1, of the shard that polls the target of that name. */
        public int shardOf(String targetName) {
            return (int) Long.remainderUnsigned(hash(targetName), count);
        }

        /** The last 8 bytes of the name's MD5 digest as an unsigned big-endian integer (in a long), as Prometheus' hashmod. */
        static long hash(String targetName) {
            byte[] digest = md5().digest(targetName.getBytes(StandardCharsets.UTF_8));
            long hash = 0;
            for (int i = digest.length - Long.BYTES; i < digest.length; i++) {
                hash = (hash << 8) | (digest[i] & 0xff);
            }
            return hash;
        }

        private static MessageDigest md5() {
            try {
                return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform must provide MD5", e);
            }
        }
    }

    /**
     * Where the agent keeps what a restart must not lose ({@code storage.path}, issue 11).
     *
     * @param path a directory, absolute and normalised; empty: memory only, nothing is written
     */
    public record Storage(Optional<Path> path) {
        public Storage {
            path = path.map(dir -> dir.toAbsolutePath().normalize());
        }

        /** Memory only, as without a {@code storage} section. */
        public static Storage defaults() {
            return new Storage(Optional.empty());
        }
    }

    public Optional<Target> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The targets this agent polls: all of them unless the fleet is {@link Shard sharded}. */
    public List<Target> ownedTargets() {
        return targets.stream().filter(t -> shard.owns(t.name())).toList();
    }
}
