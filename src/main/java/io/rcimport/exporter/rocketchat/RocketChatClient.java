package io.rcimport.exporter.rocketchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.tls.NoTls;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/**
 * The calls to one target: one attempt at {@code GET /api/v1/import.status} with authentication
 * (token, or username/password with a cached login) classified into a {@link PollResult}, and
 * the neighbouring {@code /api/info} and {@code getLatestImportOperations}. Each exchange has a
 * timeout that covers the whole body and a cap on the body size ({@link TargetExchange}). Never
 * completes exceptionally; never puts a secret into a result message.
 */
public final class RocketChatClient {
    public static final long DEFAULT_BODY_CAP = 1024 * 1024;
    static final String STATUS_PATH = "/api/v1/import.status";
    static final String LOGIN_PATH = "/api/v1/login";
    static final String INFO_PATH = "/api/info";
    static final String HISTORY_PATH = "/api/v1/getLatestImportOperations";
    /** What getLatestImportOperations returns at most, and what /status/{target} shows. */
    public static final int RECENT_OPERATIONS = 20;
    /** Rocket.Chat's default limiter allows 10 calls a minute per route: one login per 6 s at most. */
    static final Duration MIN_LOGIN_SPACING = Duration.ofSeconds(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config.Target target;
    private final TargetExchange exchange;
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
        this.exchange = new TargetExchange(http, target.url(), timeout, bodyCap);
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
        HttpRequest request = HttpRequest.newBuilder(exchange.resolve(LOGIN_PATH))
                .timeout(exchange.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return exchange.send(request).thenApply(this::loginResult).thenApply(result -> {
            lastLoginFailure.set(result);
            return result;
        });
    }

    private Optional<PollResult.Failure> loginResult(TargetExchange.Sent sent) {
        {
            if (sent instanceof TargetExchange.NotAnswered n) {
                return Optional.of(prefixLogin(n.failure()));
            }
            HttpAnswer a = ((TargetExchange.Answered) sent).answer();
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
        HttpRequest request = get(STATUS_PATH)
                .header("X-User-Id", userId)
                .header("X-Auth-Token", token.reveal())
                .build();
        return exchange.send(request).thenApply(sent -> sent instanceof TargetExchange.Answered a
                ? ResponseClassifier.classify(a.answer(), bodyCap, clock.instant())
                : ((TargetExchange.NotAnswered) sent).failure());
    }

    /**
     * {@code GET /api/info} (no authentication; its own rate-limit bucket): the server's version,
     * empty when the body names none.
     */
    public CompletableFuture<SideAnswer<Optional<ServerVersion>>> fetchServerVersion() {
        HttpRequest request = get(INFO_PATH).build();
        return exchange.send(request).thenApply(sent -> sideAnswer(sent, ImportStatusParser::serverVersion));
    }

    /**
     * {@code GET /api/v1/getLatestImportOperations} (permission {@code view-import-operations}):
     * the newest operations first, at most {@link #RECENT_OPERATIONS}. With password
     * authentication it waits for the session the status poll logs in with.
     */
    public CompletableFuture<SideAnswer<List<ImportOperation>>> fetchRecentOperations() {
        Optional<Session> credentials = target.auth() instanceof Config.TokenAuth token
                ? Optional.of(new Session(token.userId(), token.authToken()))
                : session.get();
        if (credentials.isEmpty()) {
            return CompletableFuture.completedFuture(new SideAnswer.Failed<>("not logged in yet", Optional.empty()));
        }
        HttpRequest request = get(HISTORY_PATH)
                .header("X-User-Id", credentials.get().userId())
                .header("X-Auth-Token", credentials.get().authToken().reveal())
                .build();
        return exchange.send(request).thenApply(sent -> sideAnswer(sent, body -> ImportStatusParser.operations(body, RECENT_OPERATIONS)));
    }

    /** How the body of a 200 becomes the value; an {@link InvalidResponseException} is an invalid answer. */
    @FunctionalInterface
    private interface BodyReader<T> {
        T read(byte[] body) throws InvalidResponseException;
    }

    private <T> SideAnswer<T> sideAnswer(TargetExchange.Sent sent, BodyReader<T> reader) {
        if (sent instanceof TargetExchange.NotAnswered n) {
            return new SideAnswer.Failed<>(n.failure().message(), Optional.empty());
        }
        HttpAnswer a = ((TargetExchange.Answered) sent).answer();
        if (a.truncated()) {
            return new SideAnswer.Failed<>("HTTP " + a.status() + " body larger than " + exchange.bodyCap() + " bytes", Optional.empty());
        }
        if (a.status() == 200) {
            try {
                return new SideAnswer.Got<>(reader.read(a.body()));
            } catch (InvalidResponseException e) {
                return new SideAnswer.Failed<>("invalid answer: " + e.getMessage(), Optional.empty());
            }
        }
        PollResult.Failure f = ResponseClassifier.failure(a, clock.instant());
        return f.outcome() == Outcome.FORBIDDEN
                ? new SideAnswer.Refused<>("HTTP " + a.status() + " (permission missing)")
                : new SideAnswer.Failed<>(f.message(), f.notBefore());
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(exchange.resolve(path))
                .timeout(exchange.timeout())
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .GET();
    }

    /** The shared client every target uses: HTTP/1.1, no redirects (they would carry auth headers away). */
    public static HttpClient newHttpClient(Duration connectTimeout, Executor executor) {
        try {
            return newHttpClient(connectTimeout, executor, SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has a default SSL context", e);
        }
    }

    /** The same, with the trust of a target's {@code tls} settings. */
    public static HttpClient newHttpClient(Duration connectTimeout, Executor executor,
                                           SSLContext ssl) {
        return builder(connectTimeout, executor).sslContext(ssl).build();
    }

    /**
     * The same for {@code http://} URLs only: no TLS at all, so the JDK's TLS stack and CA
     * certificates are not loaded ({@link NoTls}); an {@code https://}
     * request on it fails as a connection error.
     */
    public static HttpClient newPlainHttpClient(Duration connectTimeout, Executor executor) {
        return builder(connectTimeout, executor)
                .sslContext(NoTls.context())
                .sslParameters(NoTls.parameters())
                .build();
    }

    private static HttpClient.Builder builder(Duration connectTimeout, Executor executor) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .executor(executor);
    }
}
