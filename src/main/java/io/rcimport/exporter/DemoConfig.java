package io.rcimport.exporter;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The configuration behind {@code --demo}: one target, the built-in simulator, brisk timings. */
final class DemoConfig {
    private DemoConfig() {
    }

    static Config of(URI simulatorUrl, Optional<Config> base) {
        Config.Target demo = new Config.Target("demo", simulatorUrl,
                new Config.TokenAuth(SimulatedRocketChat.DEMO_USER_ID, Secret.of(SimulatedRocketChat.DEMO_AUTH_TOKEN)));
        if (base.isPresent()) {
            Config c = base.get();
            return new Config(c.server(), c.poll(), c.retry(), c.circuitBreaker(), List.of(demo), c.alerting(),
                    Optional.empty(), Config.Shard.defaults(), c.storage());
        }
        return new Config(Config.Server.defaults(),
                new Config.Poll(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(45),
                        Duration.ofMinutes(2), Duration.ofSeconds(30)),
                Config.Retry.defaults(), Config.CircuitBreaker.defaults(), List.of(demo), Config.Alerting.defaults());
    }
}
