package io.rcimport.exporter.poll;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** Configurations for the poll tests: fast retries, small breaker windows. */
final class PollTestSupport {
    static final String USER_ID = "rbAXPnMktTFbNpwtJ";
    static final String TOKEN = "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq";

    private PollTestSupport() {
    }

    static Config.Target target(String name, String url) {
        return new Config.Target(name, URI.create(url), new Config.TokenAuth(USER_ID, Secret.of(TOKEN)));
    }

    static Config config(List<Config.Target> targets, Duration interval, Duration timeout, int maxAttempts,
                         Config.CircuitBreaker breaker) {
        return new Config(Config.Server.defaults(),
                new Config.Poll(interval, timeout, Duration.ofMinutes(1), Duration.ofMinutes(10)),
                new Config.Retry(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(50)),
                breaker, targets, Config.Alerting.defaults());
    }

    /** Window 4 polls, decided after 2, opens at 50 % failures, stays open a minute. */
    static Config.CircuitBreaker smallBreaker() {
        return new Config.CircuitBreaker(50, 4, 2, Duration.ofMinutes(1));
    }
}
