package io.rcimport.exporter.poll;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One target's poll: {@code CircuitBreaker(Retry(fetch))}, so a whole poll, retries included,
 * is one breaker outcome. Retries only transient failures (5xx, timeouts, connection errors),
 * with exponential backoff and jitter, and only while the poll still fits in its interval.
 * While the breaker is open the poll ends as {@code circuit_open} without calling the server.
 */
public final class ResilientPoller implements TargetPoll {
    private final RocketChatClient client;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Duration interval;
    private final Duration attemptTimeout;
    private final Duration maxBackoff;
    /** The end of the poll in progress; polls of one target never overlap. */
    private final AtomicReference<Instant> deadline = new AtomicReference<>(Instant.MAX);

    public ResilientPoller(RocketChatClient client, Config config, CircuitBreakerRegistry breakers,
                           ScheduledExecutorService timer, Clock clock) {
        this.client = client;
        this.timer = timer;
        this.clock = clock;
        this.interval = config.poll().interval();
        this.attemptTimeout = config.poll().timeout();
        this.maxBackoff = config.retry().maxBackoff();
        String name = client.target().name();
        this.breaker = breakers.circuitBreaker(name, breakerConfig(config.circuitBreaker(), clock));
        this.retry = Retry.of(name, RetryConfig.<PollResult>custom()
                .maxAttempts(config.retry().maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(
                        config.retry().initialBackoff(), 2.0, 0.5, config.retry().maxBackoff()))
                .retryOnResult(this::worthAnotherAttempt)
                .retryOnException(e -> false)
                .failAfterMaxAttempts(false)
                .build());
    }

    static CircuitBreakerConfig breakerConfig(Config.CircuitBreaker cb, Clock clock) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(cb.window())
                .minimumNumberOfCalls(cb.minimumPolls())
                .failureRateThreshold(cb.failureRateThreshold())
                .waitDurationInOpenState(cb.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                // A trial poll that never reports back must not hold the half-open permit forever.
                .maxWaitDurationInHalfOpenState(cb.openFor())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                // Only a sick or unreachable server counts as a failure. Rate limiting does not:
                // the server is healthy and asked us to slow down, and the scheduler already waits
                // for its reset time; opening the breaker would add a second, longer pause and
                // report circuit_open instead of the real cause. 401/403/404 likewise mean a
                // working server and a configuration a human must fix.
                .recordResult(r -> r instanceof PollResult p && p.outcome().isServerFault())
                .recordException(e -> true)
                .clock(clock)
                .build();
    }

    private boolean worthAnotherAttempt(PollResult result) {
        if (!result.outcome().isTransient()) {
            return false; // never retry 401/403/404/429/invalid answers
        }
        // Worst case for one more attempt: the longest backoff plus a full timeout.
        Instant latestEnd = clock.instant().plus(maxBackoff).plus(attemptTimeout);
        return !latestEnd.isAfter(deadline.get());
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public String target() {
        return client.target().name();
    }

    /** The status poll alone, as a whole poll (no side calls). */
    @Override
    public CompletableFuture<PollReport> report() {
        return poll().thenApply(PollReport::of);
    }

    /** One poll. Always completes normally. */
    public CompletableFuture<PollResult> poll() {
        deadline.set(clock.instant().plus(interval));
        return breaker.executeCompletionStage(() -> retry.executeCompletionStage(timer, client::fetch))
                .toCompletableFuture()
                .exceptionally(this::failureOf);
    }

    private PollResult failureOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CallNotPermittedException) {
            return PollResult.Failure.of(Outcome.CIRCUIT_OPEN,
                    "circuit breaker open after repeated failures; the next poll after " + breakerOpenFor() + " tries again");
        }
        return PollResult.Failure.of(Outcome.CONNECTION_ERROR, "poll failed: " + cause.getClass().getSimpleName());
    }

    private String breakerOpenFor() {
        return breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1) + " ms";
    }
}
