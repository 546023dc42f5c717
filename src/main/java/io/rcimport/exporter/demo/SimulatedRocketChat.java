package io.rcimport.exporter.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A fake Rocket.Chat over HTTP (Javalin on 127.0.0.1) serving an {@link ImportSimulation}:
 * {@code GET /api/v1/import.status} (needs {@code X-User-Id}/{@code X-Auth-Token}),
 * {@code POST /api/v1/login} and {@code GET /api/info}, with Rocket.Chat's bodies and an optional
 * rate limiter ({@link RateLimit}). It backs {@code --demo}; tests, the soak and the benchmark
 * add fault injection, traffic counts and routes through one {@link Hook} (their harness is in
 * test scope).
 *
 * <pre>{@code
 * try (SimulatedRocketChat rc = SimulatedRocketChat.builder(simulation).credentials("u", "t").build().start()) {
 *     URI base = rc.url();   // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class SimulatedRocketChat implements AutoCloseable {
    public static final String IMPORT_STATUS = "/api/v1/import.status";
    public static final String LOGIN = "/api/v1/login";
    public static final String INFO = "/api/info";
    public static final String HISTORY = "/api/v1/getLatestImportOperations";

    public static final String DEMO_USER_ID = "demo-user";
    public static final String DEMO_AUTH_TOKEN = "demo-token";
    public static final String DEMO_USERNAME = "demo";
    public static final String DEMO_PASSWORD = "demo";

    private final ImportSimulation simulation;
    private final Settings settings;
    private final RateLimiter rateLimiter;
    private final Hook hook;
    private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();
    private final SecureRandom tokenRandom = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    private Javalin app;
    private int boundPort = -1;

    private SimulatedRocketChat(ImportSimulation simulation, Settings settings, Hook hook) {
        this.simulation = simulation;
        this.settings = settings;
        this.rateLimiter = new RateLimiter(settings.rateLimit());
        this.hook = hook;
    }

    private record Settings(String host, int port, String userId, String authToken, String username,
            String password, boolean twoFactorRequired, RateLimit rateLimit, String version) {
    }

    /** A simulated route's own answer. */
    @FunctionalInterface
    public interface Answer {
        void write(Context ctx) throws Exception;
    }

    /**
     * The one seam for test tooling (fault injection, traffic counts, extra routes); {@code --demo}
     * uses none. Every method has a default that changes nothing.
     */
    public interface Hook {
        Hook NONE = new Hook() {
        };

        /** At start, before the simulator's routes: may add before-handlers and routes (answered with {@link #serveAs}). */
        default void routes(RoutesConfig routes, SimulatedRocketChat simulator) {
        }

        /**
         * Every request of a simulated route passes here, before the rate limit (a sick server or
         * proxy answers before Rocket.Chat's own logic); {@code normally.write(ctx)} answers as
         * the simulator would.
         */
        default void answer(Context ctx, Answer normally) throws Exception {
            normally.write(ctx);
        }

        /** The server is closing: cut whatever requests are held. */
        default void closing() {
        }
    }

    public static Builder builder(ImportSimulation simulation) {
        return new Builder(simulation);
    }

    /**
     * The simulated Rocket.Chat behind {@code --demo}: {@link Scenario#demo()}, credentials
     * {@value #DEMO_USER_ID}/{@value #DEMO_AUTH_TOKEN} (or login {@value #DEMO_USERNAME}/
     * {@value #DEMO_PASSWORD}), a rate limit of 60 calls per minute per route, on a free port.
     */
    public static SimulatedRocketChat startDemo(Clock clock) {
        return startDemo(clock, 0);
    }

    public static SimulatedRocketChat startDemo(Clock clock, int port) {
        ImportSimulation simulation = new ImportSimulation(clock, new SplittableRandom(), Scenario.demo());
        return builder(simulation)
                .credentials(DEMO_USER_ID, DEMO_AUTH_TOKEN)
                .login(DEMO_USERNAME, DEMO_PASSWORD)
                .rateLimit(RateLimit.of(60, Duration.ofMinutes(1)))
                .port(port)
                .build()
                .start();
    }

    /** Starts serving. Once only. */
    public synchronized SimulatedRocketChat start() {
        if (app != null) {
            throw new IllegalStateException("already started");
        }
        QueuedThreadPool threads = new QueuedThreadPool(64, 2, 60_000);
        threads.setName("simulated-rocketchat-" + (settings.port() == 0 ? "http" : settings.port()));
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.threadPool = threads;
            cfg.http.asyncTimeout = 0; // a hung request waits until released
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            hook.routes(cfg.routes, this);
            cfg.routes.get(IMPORT_STATUS, ctx -> serveAs(ctx, IMPORT_STATUS, "GET " + IMPORT_STATUS));
            cfg.routes.post(LOGIN, ctx -> serveAs(ctx, LOGIN, "POST " + LOGIN));
            cfg.routes.get(INFO, ctx -> serveAs(ctx, INFO, "GET " + INFO));
            cfg.routes.get(HISTORY, ctx -> serveAs(ctx, HISTORY, "GET " + HISTORY));
        });
        app.start(settings.host(), settings.port());
        boundPort = app.port();
        return this;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:PORT}. */
    public URI url() {
        return URI.create("http://" + settings.host() + ":" + port());
    }

    /** The port it listens (or, after {@link #close()}, listened) on. */
    public synchronized int port() {
        if (boundPort < 0) {
            throw new IllegalStateException("not started");
        }
        return boundPort;
    }

    public ImportSimulation simulation() {
        return simulation;
    }

    /** The rate limit the simulated routes apply. */
    public RateLimit rateLimit() {
        return settings.rateLimit();
    }

    /** Stops serving: the hook cuts whatever it holds first. Idempotent. */
    @Override
    public synchronized void close() {
        hook.closing();
        if (app != null) {
            app.stop();
        }
    }

    // ---- request handling -----------------------------------------------------------------

    /**
     * Answers {@code ctx} as the simulated route {@code path} ({@link #IMPORT_STATUS}, {@link #LOGIN}
     * or {@link #INFO}) does: the hook first, then the rate limit, counted against {@code rateLimitKey}
     * (requests with different keys are limited apart, as separate servers), then the route.
     */
    public void serveAs(Context ctx, String path, String rateLimitKey) throws Exception {
        Answer route = switch (path) {
            case IMPORT_STATUS -> this::importStatus;
            case LOGIN -> this::login;
            case INFO -> this::info;
            case HISTORY -> this::history;
            default -> throw new IllegalArgumentException("not a simulated route: " + path);
        };
        hook.answer(ctx, c -> limited(c, rateLimitKey, route));
    }

    private void limited(Context ctx, String route, Answer answer) throws Exception {
        RateLimit limit = settings.rateLimit();
        if (limit.enabled()) {
            Instant now = simulation.clock().instant();
            RateLimiter.Decision d = rateLimiter.call(ctx.ip() + " " + route, now);
            if (limit.sendHeaders()) {
                ctx.header("X-RateLimit-Limit", String.valueOf(d.limit()));
                ctx.header("X-RateLimit-Remaining", String.valueOf(d.remaining()));
                ctx.header("X-RateLimit-Reset", String.valueOf(d.reset().toEpochMilli()));
            }
            if (!d.allowed()) {
                respond(ctx, 429, RocketChatBodies.tooManyRequests(d.waitSeconds(now), false));
                return;
            }
        }
        answer.write(ctx);
    }

    private void importStatus(Context ctx) {
        if (!authenticated(ctx.header("X-User-Id"), ctx.header("X-Auth-Token"))) {
            respond(ctx, 401, RocketChatBodies.UNAUTHORIZED_7X);
            return;
        }
        respond(ctx, 200, simulation.statusJson());
    }

    private boolean authenticated(String userId, String token) {
        if (userId == null || token == null || !userId.equals(settings.userId())) {
            return false;
        }
        return token.equals(settings.authToken()) || issuedTokens.contains(token);
    }

    private void login(Context ctx) {
        JsonNode body;
        try {
            body = json.readTree(ctx.body());
        } catch (IOException e) {
            respond(ctx, 400, "{\"success\":false,\"error\":\"Match error\",\"errorType\":\"error-invalid-body\"}");
            return;
        }
        String user = body == null ? "" : body.path("user").asText(body.path("username").asText(""));
        String password = body == null ? "" : body.path("password").asText("");
        if (!user.equals(settings.username()) || !password.equals(settings.password())) {
            respond(ctx, 401, RocketChatBodies.LOGIN_FAILED);
            return;
        }
        if (settings.twoFactorRequired()) {
            respond(ctx, 401, RocketChatBodies.LOGIN_TOTP_REQUIRED);
            return;
        }
        String token = Ids.authToken(tokenRandom);
        issuedTokens.add(token);
        respond(ctx, 200, RocketChatBodies.loginSuccess(settings.userId(), token, settings.username()));
    }

    /** A bare array, no {@code success} key, as Rocket.Chat answers (with view-import-operations). */
    private void history(Context ctx) {
        if (!authenticated(ctx.header("X-User-Id"), ctx.header("X-Auth-Token"))) {
            respond(ctx, 401, RocketChatBodies.UNAUTHORIZED_7X);
            return;
        }
        respond(ctx, 200, simulation.historyJson());
    }

    private void info(Context ctx) {
        respond(ctx, 200, RocketChatBodies.info(settings.version()));
    }

    private static void respond(Context ctx, int status, String jsonBody) {
        ctx.status(status).contentType(RocketChatBodies.JSON).result(jsonBody);
    }

    /** Settings of a {@link SimulatedRocketChat}; every one has a default. */
    public static final class Builder {
        private final ImportSimulation simulation;
        private String host = "127.0.0.1";
        private int port;
        private String userId = DEMO_USER_ID;
        private String authToken = DEMO_AUTH_TOKEN;
        private String username = DEMO_USERNAME;
        private String password = DEMO_PASSWORD;
        private boolean twoFactorRequired;
        private RateLimit rateLimit = RateLimit.unlimited();
        private String version = "7.11";
        private Hook hook = Hook.NONE;

        private Builder(ImportSimulation simulation) {
            this.simulation = Objects.requireNonNull(simulation, "simulation");
        }

        /** The {@code X-User-Id}/{@code X-Auth-Token} pair accepted (default {@value #DEMO_USER_ID}/{@value #DEMO_AUTH_TOKEN}). */
        public Builder credentials(String userId, String authToken) {
            this.userId = Objects.requireNonNull(userId, "userId");
            this.authToken = Objects.requireNonNull(authToken, "authToken");
            return this;
        }

        /** The user and password {@code POST /api/v1/login} accepts; it returns a fresh token for the user id above. */
        public Builder login(String username, String password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Login answers 401 {@code totp-required}: the account has two-factor authentication. */
        public Builder twoFactorRequired(boolean required) {
            this.twoFactorRequired = required;
            return this;
        }

        /** Default: unlimited, no headers. */
        public Builder rateLimit(RateLimit rateLimit) {
            this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
            return this;
        }

        /** What {@code /api/info} reports (default {@code 7.11}). */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Test tooling between requests and the simulator (default: none). */
        public Builder hook(Hook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** Default 0: any free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        /** Default {@code 127.0.0.1}. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** A server, not started yet. */
        public SimulatedRocketChat build() {
            return new SimulatedRocketChat(simulation, new Settings(host, port, userId, authToken, username, password,
                    twoFactorRequired, rateLimit, version), hook);
        }
    }
}
