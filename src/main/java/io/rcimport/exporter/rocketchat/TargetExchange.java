package io.rcimport.exporter.rocketchat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * One HTTP exchange with one target, whatever the route: a timeout that covers the whole body
 * (the request timeout covers only the wait for headers), a cap on the body size, and transport
 * failures classified into a {@link PollResult.Failure} whose message names the host, never a
 * secret. Never completes exceptionally.
 */
final class TargetExchange {
    private final HttpClient http;
    private final URI base;
    private final Duration timeout;
    private final long bodyCap;

    /** Either an HTTP answer, or the failure that kept us from getting one. */
    sealed interface Sent permits Answered, NotAnswered {
    }

    record Answered(HttpAnswer answer) implements Sent {
    }

    record NotAnswered(PollResult.Failure failure) implements Sent {
    }

    TargetExchange(HttpClient http, URI base, Duration timeout, long bodyCap) {
        this.http = http;
        this.base = base;
        this.timeout = timeout;
        this.bodyCap = bodyCap;
    }

    Duration timeout() {
        return timeout;
    }

    long bodyCap() {
        return bodyCap;
    }

    /** The target's url has no trailing slash (Config.Target guarantees it). */
    URI resolve(String path) {
        return URI.create(base + path);
    }

    CompletableFuture<Sent> send(HttpRequest request) {
        AtomicReference<CappedBodySubscriber> body = new AtomicReference<>();
        HttpResponse.BodyHandler<CappedBodySubscriber.Body> handler = info -> {
            CappedBodySubscriber s = new CappedBodySubscriber(bodyCap);
            body.set(s);
            return s;
        };
        CompletableFuture<HttpResponse<CappedBodySubscriber.Body>> exchange;
        try {
            exchange = http.sendAsync(request, handler);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new NotAnswered(
                    PollResult.Failure.of(Outcome.CONNECTION_ERROR, "request failed: " + e.getClass().getSimpleName())));
        }
        return exchange
                .orTimeout(timeout.toMillis() + 250, TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error == null) {
                        return (Sent) new Answered(HttpAnswer.of(response.statusCode(), response.headers(),
                                response.body().bytes(), response.body().truncated()));
                    }
                    Throwable cause = unwrap(error);
                    if (cause instanceof TimeoutException) {
                        exchange.cancel(true);
                        CappedBodySubscriber s = body.get();
                        if (s != null) {
                            s.abort(cause);
                        }
                    }
                    return new NotAnswered(classifyError(cause));
                });
    }

    private PollResult.Failure classifyError(Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException) {
            return PollResult.Failure.of(Outcome.TIMEOUT, "connect timed out after " + timeout.toMillis() + " ms");
        }
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return PollResult.Failure.of(Outcome.TIMEOUT, "no complete answer within " + timeout.toMillis() + " ms");
        }
        // The JDK reports a failed name lookup as a ConnectException caused by UnresolvedAddressException.
        if (cause instanceof UnknownHostException || cause.getCause() instanceof UnknownHostException
                || cause.getCause() instanceof UnresolvedAddressException) {
            return PollResult.Failure.of(Outcome.CONNECTION_ERROR, "unknown host " + base.getHost());
        }
        if (cause instanceof ConnectException) {
            return PollResult.Failure.of(Outcome.CONNECTION_ERROR, "connection refused by " + hostPort());
        }
        if (cause instanceof SSLException) {
            return PollResult.Failure.of(Outcome.CONNECTION_ERROR, "TLS failure with " + hostPort() + ": " + safe(cause));
        }
        if (cause instanceof ClosedChannelException || cause instanceof IOException) {
            return PollResult.Failure.of(Outcome.CONNECTION_ERROR, "connection to " + hostPort() + " failed: " + safe(cause));
        }
        return PollResult.Failure.of(Outcome.CONNECTION_ERROR, "request failed: " + cause.getClass().getSimpleName());
    }

    private static String safe(Throwable t) {
        String m = t.getMessage();
        return ResponseClassifier.sanitize(m == null ? t.getClass().getSimpleName() : m);
    }

    private String hostPort() {
        return base.getHost() + (base.getPort() > 0 ? ":" + base.getPort() : "");
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
