package io.rcimport.exporter.testing;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Config} for a test, built by name instead of by position: every section starts at its
 * default (or at a parsed config's), and a test sets only what it is about.
 *
 * <pre>{@code
 * Config config = TestConfigs.of(TestConfigs.tokenTarget("main", wm.baseUrl(), "uid", "token"))
 *         .listenOn("127.0.0.1", 0).pollEvery(Duration.ofMillis(300)).build();
 * }</pre>
 */
public final class TestConfigs {
    private Config.Server server = Config.Server.defaults();
    private Config.Poll poll = Config.Poll.defaults();
    private Config.Retry retry = Config.Retry.defaults();
    private Config.CircuitBreaker circuitBreaker = Config.CircuitBreaker.defaults();
    private List<Config.Target> targets;
    private Config.Alerting alerting = Config.Alerting.defaults();
    private Optional<Path> targetsFile = Optional.empty();
    private Config.Shard shard = Config.Shard.defaults();
    private Config.Storage storage = Config.Storage.defaults();

    private TestConfigs(List<Config.Target> targets) {
        this.targets = List.copyOf(targets);
    }

    /** Defaults everywhere, these targets. */
    public static TestConfigs of(Config.Target... targets) {
        return of(List.of(targets));
    }

    public static TestConfigs of(List<Config.Target> targets) {
        return new TestConfigs(targets);
    }

    /** Every section as in {@code parsed} (e.g. a YAML snippet read by {@code ConfigLoader}), to change some. */
    public static TestConfigs from(Config parsed) {
        TestConfigs c = new TestConfigs(parsed.targets());
        c.server = parsed.server();
        c.poll = parsed.poll();
        c.retry = parsed.retry();
        c.circuitBreaker = parsed.circuitBreaker();
        c.alerting = parsed.alerting();
        c.targetsFile = parsed.targetsFile();
        c.shard = parsed.shard();
        c.storage = parsed.storage();
        return c;
    }

    /** A target polled with a personal access token. */
    public static Config.Target tokenTarget(String name, String url, String userId, String token) {
        return new Config.Target(name, URI.create(url), new Config.TokenAuth(userId, Secret.of(token)));
    }

    /** Plain HTTP on {@code host:port} (0: any free port), no auth, no reload endpoint. */
    public TestConfigs listenOn(String host, int port) {
        this.server = new Config.Server(host, port);
        return this;
    }

    public TestConfigs server(Config.Server server) {
        this.server = Objects.requireNonNull(server, "server");
        return this;
    }

    /** The poll interval; timeout, stale_after and stall_after stay as they are. */
    public TestConfigs pollEvery(Duration interval) {
        this.poll = new Config.Poll(interval, poll.timeout(), poll.staleAfter(), poll.stallAfter());
        return this;
    }

    /** The poll interval and timeout; stale_after and stall_after stay as they are. */
    public TestConfigs pollEvery(Duration interval, Duration timeout) {
        this.poll = new Config.Poll(interval, timeout, poll.staleAfter(), poll.stallAfter());
        return this;
    }

    public TestConfigs retry(Config.Retry retry) {
        this.retry = Objects.requireNonNull(retry, "retry");
        return this;
    }

    public TestConfigs circuitBreaker(Config.CircuitBreaker circuitBreaker) {
        this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        return this;
    }

    public TestConfigs alerting(Config.Alerting alerting) {
        this.alerting = Objects.requireNonNull(alerting, "alerting");
        return this;
    }

    /** Keep the agent's state in {@code directory} ({@code storage.path}). */
    public TestConfigs storage(Path directory) {
        this.storage = new Config.Storage(Optional.of(directory));
        return this;
    }

    public Config build() {
        return new Config(server, poll, retry, circuitBreaker, targets, alerting, targetsFile, shard, storage);
    }
}
