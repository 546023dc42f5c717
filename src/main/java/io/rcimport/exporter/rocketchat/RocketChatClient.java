package io.rcimport.exporter.rocketchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * One attempt at {@code GET /api/v1/import.status} for one target: authentication (token, or
 * username/password with a cached login), a per-attempt timeout that covers the whole body, a
 * cap on the body size, and classification into a {@link PollResult}. Never completes
 * exceptionally; never puts a secret into a result message.
 */
public final class RocketChatClient {
    public static final long DEFAULT_BODY_CAP = 1024 * 1024;
    static final String STATUS_PATH = "/api/v1/import.status";
    static final String LOGIN_PATH = "/api/v1/login";
    /** Rocket.Chat's default limiter allows 10 calls a minute per route: one login per 6 s at most. */
    static final Duration MIN_LOGIN_SPACING = Duration.ofSeconds(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config.Target target;
    private final HttpClient http;
    private final Duration timeout;
    private final long bodyCap;
    private final Clock clock;
    private final String userAgent;
    /** Token from the last login (password auth only). */
    private final AtomicReference<Optional<Session>> session = new AtomicReference<>(Optional.empty());
    private final AtomicReference<Instant> nextLoginAllowed = new AtomicReference<>(Instant.MIN);
    /** What the last login attempt that reached the server ended with, if it failed. */
    private final AtomicReference<Optional<PollResult.Failure>> lastLoginFailure = new AtomicReference<>(Optional.empty());

    private record Session(String userId, Secret authToken) {
    }

    public RocketChatClient(Config.Target target, HttpClient http, Duration timeout, long bodyCap, Clock clock, String version) {
        this.target = target;
        this.http = http;
        this.timeout = timeout;
        this.bodyCap = bodyCap;
        this.clock = clock;
        this.userAgent = "rocketchat-import-exporter/" + version;
    }

    public Config.Target target() {
        return target;
    }

    /** One attempt. The future always completes normally, within about {@code timeout} (twice with a re-login). */
    public CompletableFuture<PollResult> fetch() {
        if (target.auth() instanceof Config.TokenAuth token) {
            return getStatus(token.userId(), token.authToken());
        }
        Optional<Session> current = session.get();
        if (current.isPresent()) {
            Session s = current.get();
            return getStatus(s.userId(), s.authToken()).thenCompose(result -> {
                if (result.outcome() != Outcome.UNAUTHORIZED) {
                    return CompletableFuture.completedFuture(result);
                }
                // The cached token expired or was revoked: log in again, once, then retry.
                session.compareAndSet(current, Optional.empty());
                return loginThenGetStatus();
            });
        }
        return loginThenGetStatus();
    }

    private CompletableFuture<PollResult> loginThenGetStatus() {
        return login().thenCompose(outcome -> {
            if (outcome.isPresent()) {
                return CompletableFuture.completedFuture((PollResult) outcome.get());
            }
            Session s = session.get().orElseThrow();
            return getStatus(s.userId(), s.authToken());
        });
    }

    /** Logs in; empty on success (session stored), else the failure to report for this poll. */
    private CompletableFuture<Optional<PollResult.Failure>> login() {
        Config.PasswordAuth auth = (Config.PasswordAuth) target.auth();
        Instant now = clock.instant();
        Instant allowed = nextLoginAllowed.get();
        if (now.isBefore(allowed)) {
            // Too soon for another login: report what the last one ended with (a 5xx stays a
            // server error for the breaker), or, if it succeeded, that we are waiting.
            return CompletableFuture.completedFuture(Optional.of(lastLoginFailure.get().orElseGet(() ->
                    new PollResult.Failure(Outcome.RATE_LIMITED,
                            "login: not logging in again before " + allowed + " (at most one login per "
                                    + MIN_LOGIN_SPACING.toSeconds() + " s)",
                            Optional.of(allowed), OptionalLong.empty()))));
        }
        nextLoginAllowed.set(now.plus(MIN_LOGIN_SPACING));
        ObjectNode body = JSON.createObjectNode().put("user", auth.username()).put("password", auth.password().reveal());
        HttpRequest request = HttpRequest.newBuilder(resolve(LOGIN_PATH))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return send(request).thenApply(this::loginResult).thenApply(result -> {
            lastLoginFailure.set(result);
            return result;
        });
    }

    private Optional<PollResult.Failure> loginResult(Sent sent) {
        {
            if (sent instanceof NotAnswered n) {
                return Optional.of(prefixLogin(n.failure()));
            }
            HttpAnswer a = ((Answered) sent).answer();
            if (a.status() == 200 && !a.truncated()) {
                Optional<Session> s = parseLogin(a.body());
                if (s.isPresent()) {
                    session.set(s);
                    return Optional.<PollResult.Failure>empty();
                }
                return Optional.of(PollResult.Failure.of(Outcome.INVALID_RESPONSE, "login: answer has no data.userId/data.authToken"));
            }
            PollResult classified = ResponseClassifier.classify(a, bodyCap, clock.instant());
            if (classified instanceof PollResult.Failure f) {
                if (f.notBefore().isPresent()) {
                    nextLoginAllowed.set(f.notBefore().get());
                }
                return Optional.of(prefixLogin(f));
            }
            return Optional.of(PollResult.Failure.of(Outcome.INVALID_RESPONSE, "login: unexpected answer"));
        }
    }

    private static PollResult.Failure prefixLogin(PollResult.Failure f) {
        return new PollResult.Failure(f.outcome(), "login: " + f.message(), f.notBefore(), f.rateLimitRemaining());
    }

    private static Optional<Session> parseLogin(byte[] body) {
        try {
            JsonNode data = JSON.readTree(body).path("data");
            String userId = data.path("userId").asText("");
            String token = data.path("authToken").asText("");
            if (userId.isEmpty() || token.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Session(userId, Secret.of(token)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private CompletableFuture<PollResult> getStatus(String userId, Secret token) {
        HttpRequest request = HttpRequest.newBuilder(resolve(STATUS_PATH))
                .timeout(timeout)
                .header("X-User-Id", userId)
                .header("X-Auth-Token", token.reveal())
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .GET()
                .build();
        return send(request).thenApply(sent -> sent instanceof Answered a
                ? ResponseClassifier.classify(a.answer(), bodyCap, clock.instant())
                : ((NotAnswered) sent).failure());
    }

    /** Either an HTTP answer, or the failure that kept us from getting one. */
    private sealed interface Sent permits Answered, NotAnswered {
    }

    private record Answered(HttpAnswer answer) implements Sent {
    }

    private record NotAnswered(PollResult.Failure failure) implements Sent {
    }

    private CompletableFuture<Sent> send(HttpRequest request) {
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
        // The request timeout covers only the wait for headers; this one covers the whole body too.
        return exchange
                .orTimeout(timeout.toMillis() + 250, java.util.concurrent.TimeUnit.MILLISECONDS)
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
                || cause.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
            return PollResult.Failure.of(Outcome.CONNECTION_ERROR, "unknown host " + target.url().getHost());
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
        URI u = target.url();
        return u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }

    /** The target's url has no trailing slash (Config.Target guarantees it). */
    private URI resolve(String path) {
        return URI.create(target.url() + path);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The shared client every target uses: HTTP/1.1, no redirects (they would carry auth headers away). */
    public static HttpClient newHttpClient(Duration connectTimeout, java.util.concurrent.Executor executor) {
        try {
            return newHttpClient(connectTimeout, executor, javax.net.ssl.SSLContext.getDefault());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has a default SSL context", e);
        }
    }

    /** The same, with the trust of a target's {@code tls} settings. */
    public static HttpClient newHttpClient(Duration connectTimeout, java.util.concurrent.Executor executor,
                                           javax.net.ssl.SSLContext ssl) {
        return builder(connectTimeout, executor).sslContext(ssl).build();
    }

    /**
     * The same for {@code http://} URLs only: no TLS at all, so the JDK's TLS stack and CA
     * certificates are not loaded ({@link io.rcimport.exporter.tls.NoTls}); an {@code https://}
     * request on it fails as a connection error.
     */
    public static HttpClient newPlainHttpClient(Duration connectTimeout, java.util.concurrent.Executor executor) {
        return builder(connectTimeout, executor)
                .sslContext(io.rcimport.exporter.tls.NoTls.context())
                .sslParameters(io.rcimport.exporter.tls.NoTls.parameters())
                .build();
    }

    private static HttpClient.Builder builder(Duration connectTimeout, java.util.concurrent.Executor executor) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .executor(executor);
    }
}
