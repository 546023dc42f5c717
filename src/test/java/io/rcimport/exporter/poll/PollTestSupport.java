package io.rcimport.exporter.poll;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.testing.TestConfigs;
import java.time.Duration;
import java.util.List;

/** Configurations for the poll tests: fast retries, small breaker windows. */
final class PollTestSupport {
    static final String USER_ID = "rbAXPnMktTFbNpwtJ";
    static final String TOKEN = "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq";

    private PollTestSupport() {
    }

    static Config.Target target(String name, String url) {
        return TestConfigs.tokenTarget(name, url, USER_ID, TOKEN);
    }

    static Config config(List<Config.Target> targets, Duration interval, Duration timeout, int maxAttempts,
                         Config.CircuitBreaker breaker) {
        return TestConfigs.of(targets).pollEvery(interval, timeout)
                .retry(new Config.Retry(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(50))).circuitBreaker(breaker).build();
    }

    /** Window 4 polls, decided after 2, opens at 50 % failures, stays open a minute. */
    static Config.CircuitBreaker smallBreaker() {
        return new Config.CircuitBreaker(50, 4, 2, Duration.ofMinutes(1));
    }
}
