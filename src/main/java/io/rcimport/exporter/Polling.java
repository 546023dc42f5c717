package io.rcimport.exporter;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.metrics.ImportMetrics;
import io.rcimport.exporter.poll.PollScheduler;
import io.rcimport.exporter.poll.ResilientPoller;
import io.rcimport.exporter.poll.ServerFactsPoll;
import io.rcimport.exporter.poll.TargetPoll;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import io.rcimport.exporter.status.StatusStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polling of the owned targets: one resilient poller per target (client, retry, breaker) and
 * the scheduler that runs them; every poll ends in the status store.
 */
final class Polling {
    /** The agent's logger: its lines read as they did before the agent was split into components. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final StatusStore store;
    private final ImportMetrics metrics;
    private final CircuitBreakerRegistry breakers;
    private final HttpClients clients;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final String version;
    /** By target name, in the configuration's order; changes only under the agent's lock (reload). */
    private final Map<String, TargetPoll> pollers = new LinkedHashMap<>();
    private final PollScheduler scheduler;

    private Polling(StatusStore store, ImportMetrics metrics, CircuitBreakerRegistry breakers, HttpClients clients,
                    ScheduledExecutorService timer, Clock clock, String version, PollScheduler scheduler) {
        this.store = store;
        this.metrics = metrics;
        this.breakers = breakers;
        this.clients = clients;
        this.timer = timer;
        this.clock = clock;
        this.version = version;
        this.scheduler = scheduler;
    }

    /** Pollers for the owned targets of {@code config}, not yet scheduled. */
    static Polling create(Config config, StatusStore store, ImportMetrics metrics, CircuitBreakerRegistry breakers,
                          HttpClients clients, ScheduledExecutorService timer, Clock clock, String version) {
        PollScheduler scheduler = new PollScheduler(timer, store, clock, config.poll().interval(), pollDeadline(config),
                RandomGenerator.getDefault(), metrics::observePollDuration);
        Polling polling = new Polling(store, metrics, breakers, clients, timer, clock, version, scheduler);
        for (Config.Target target : config.ownedTargets()) {
            polling.pollers.put(target.name(), polling.pollerFor(target, config));
        }
        return polling;
    }

    /** The longest a poll may take, all attempts and backoffs included, plus slack. */
    static Duration pollDeadline(Config config) {
        Duration attempt = config.poll().timeout().plusMillis(500);
        Duration total = attempt.multipliedBy(config.retry().maxAttempts())
                .plus(config.retry().maxBackoff().multipliedBy(config.retry().maxAttempts()));
        return total.compareTo(config.poll().interval()) > 0 ? total : config.poll().interval();
    }

    /** The status through the breaker and retries, and the server's version and recent operations beside it. */
    private TargetPoll pollerFor(Config.Target target, Config config) {
        RocketChatClient client = new RocketChatClient(target, clients.clientFor(List.of(target.url()), target.tls()),
                config.poll().timeout(), RocketChatClient.DEFAULT_BODY_CAP, clock, version);
        return new ServerFactsPoll(new ResilientPoller(client, config, breakers, timer, clock), client, clock,
                config.poll().historyInterval());
    }

    /** Schedules every poller, on a jittered start. */
    void start(Collection<Config.Target> targets) {
        warnAboutInsecureTargets(targets);
        scheduler.start(List.copyOf(pollers.values()));
    }

    /** Polls every target once, now, and waits for the outcomes (for {@code --once}). */
    void pollOnce(Duration limit) throws Exception {
        PollScheduler.pollOnce(List.copyOf(pollers.values()), store).get(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops polling a target and drops its breaker and series. */
    void remove(String target) {
        scheduler.remove(target);
        pollers.remove(target);
        breakers.remove(target);
        metrics.removeTarget(target);
    }

    /** Starts polling new targets, with the settings of {@code config}. */
    void add(List<Config.Target> targets, Config config) {
        List<TargetPoll> started = new ArrayList<>();
        for (Config.Target t : targets) {
            TargetPoll p = pollerFor(t, config);
            pollers.put(t.name(), p);
            metrics.initTarget(t.name());
            started.add(p);
        }
        scheduler.start(started);
        warnAboutInsecureTargets(targets);
    }

    /** In-flight polls get {@code grace}. */
    void stop(Duration grace) {
        scheduler.stop(grace);
    }

    private static void warnAboutInsecureTargets(Collection<Config.Target> targets) {
        for (Config.Target t : targets) {
            if (t.tls().insecureSkipVerify()) {
                LOG.warn("target={} event=insecure_tls msg=\"insecure_skip_verify is on: the server's certificate is NOT verified; "
                        + "anyone on the path can read the token\"", t.name());
            }
        }
    }
}
