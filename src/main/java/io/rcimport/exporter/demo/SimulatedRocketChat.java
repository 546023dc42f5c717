package io.rcimport.exporter.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A fake Rocket.Chat over HTTP (Javalin on 127.0.0.1) serving an {@link ImportSimulation}:
 * {@code GET /api/v1/import.status} (needs {@code X-User-Id}/{@code X-Auth-Token}),
 * {@code POST /api/v1/login} and {@code GET /api/info}, with Rocket.Chat's bodies, an optional
 * rate limiter ({@link RateLimit}) and fault injection ({@link #setFault(Fault)}). It backs
 * {@code --demo}, component tests and soak runs.
 *
 * <pre>{@code
 * try (SimulatedRocketChat rc = SimulatedRocketChat.builder(simulation).credentials("u", "t").build().start()) {
 *     URI base = rc.url();   // http://127.0.0.1:PORT
 *     rc.setFault(Fault.badGateway());
 * }
 * }</pre>
 */
public final class SimulatedRocketChat implements AutoCloseable {
    public static final String IMPORT_STATUS = "/api/v1/import.status";
    public static final String LOGIN = "/api/v1/login";
    public static final String INFO = "/api/info";
    public static final String HISTORY = "/api/v1/getLatestImportOperations";
    /**
     * One server standing in for many: {@code /t/NAME/api/v1/import.status} answers as
     * {@link #IMPORT_STATUS} does, and is counted per NAME ({@link #traffic()}). A target's url
     * is then {@code http://127.0.0.1:PORT/t/NAME} (the client appends the API path).
     */
    public static final String TARGET_PREFIX = "/t/";
    private static final String BASE = "/{base}";

    public static final String DEMO_USER_ID = "demo-user";
    public static final String DEMO_AUTH_TOKEN = "demo-token";
    public static final String DEMO_USERNAME = "demo";
    public static final String DEMO_PASSWORD = "demo";

    private final ImportSimulation simulation;
    private final Settings settings;
    private final RateLimiter rateLimiter;
    private final HungRequests hung = new HungRequests();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final FaultResponder faults;
    private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();
    private final SecureRandom tokenRandom = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    private final LongAdder requests = new LongAdder();
    private final Map<String, LongAdder> requestsByPath = new ConcurrentHashMap<>();
    private final Map<String, TargetCounter> perTarget = new ConcurrentHashMap<>();
    private volatile Fault fault = Fault.none();
    private Javalin app;
    private int boundPort = -1;

    private SimulatedRocketChat(ImportSimulation simulation, Settings settings) {
        this.simulation = simulation;
        this.settings = settings;
        this.rateLimiter = new RateLimiter(settings.rateLimit());
        this.faults = new FaultResponder(simulation, settings.rateLimit(), hung, closing);
    }

    private record Settings(String host, int port, String userId, String authToken, String username,
            String password, boolean twoFactorRequired, RateLimit rateLimit, String version, boolean anyBasePath) {
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
            cfg.routes.before(this::count);
            cfg.routes.get(IMPORT_STATUS, ctx -> serve(ctx, "GET " + IMPORT_STATUS, this::importStatus));
            cfg.routes.get(TARGET_PREFIX + "{target}" + IMPORT_STATUS, this::targetStatus);
            cfg.routes.post(LOGIN, ctx -> serve(ctx, "POST " + LOGIN, this::login));
            cfg.routes.get(INFO, ctx -> serve(ctx, "GET " + INFO, this::info));
            cfg.routes.get(HISTORY, ctx -> serve(ctx, "GET " + HISTORY, this::history));
            if (settings.anyBasePath()) {
                // Rocket.Chat behind a proxy under a sub-path: the same server at /{base}/api/...;
                // requestCount(path) tells the bases apart (one per target in a benchmark).
                cfg.routes.get(BASE + IMPORT_STATUS, ctx -> serve(ctx, "GET " + IMPORT_STATUS, this::importStatus));
                cfg.routes.post(BASE + LOGIN, ctx -> serve(ctx, "POST " + LOGIN, this::login));
                cfg.routes.get(BASE + INFO, ctx -> serve(ctx, "GET " + INFO, this::info));
            }
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

    /** From now on every request gets {@code fault}'s answer; changing it releases hung requests. */
    public void setFault(Fault fault) {
        this.fault = Objects.requireNonNull(fault, "fault");
        if (!(fault instanceof Fault.Hang)) {
            hung.answerAll();
        }
    }

    public Fault fault() {
        return fault;
    }

    /** Requests received on any path, answered or not, since the start. */
    public long requestCount() {
        return requests.sum();
    }

    /** Requests received on {@code path} (e.g. {@link #IMPORT_STATUS}). */
    public long requestCount(String path) {
        LongAdder n = requestsByPath.get(path);
        return n == null ? 0 : n.sum();
    }

    /**
     * Per target of the {@link #TARGET_PREFIX} routes: requests, and overlaps, i.e. requests that
     * arrived while another request for the same target, started less than {@code overlapWindow}
     * ago, was still being answered. A client that gave up on a request (its timeout) and sends
     * the next one is no overlap, so pass the client's timeout; requests parked by
     * {@link Fault.Hang} are not counted as being answered.
     */
    public Map<String, Traffic> traffic(Duration overlapWindow) {
        Map<String, Traffic> out = new java.util.TreeMap<>();
        perTarget.forEach((name, c) -> out.put(name, c.traffic(overlapWindow)));
        return out;
    }

    /**
     * What one target's route saw. {@code overlapsByEarlierAnswer} counts the overlaps by what the
     * request that was still being answered got ({@code normal}, or the fault's kind, e.g.
     * {@code HugeBody}), so a soak can tell a client that sent two requests at once from a server
     * still busy with an answer the client had already given up on.
     */
    public record Traffic(long requests, long overlaps, Map<String, Long> overlapsByEarlierAnswer) {
        public Traffic {
            overlapsByEarlierAnswer = Map.copyOf(overlapsByEarlierAnswer);
        }

        public Traffic(long requests, long overlaps) {
            this(requests, overlaps, Map.of());
        }
    }

    private record Overlap(long ageNanos, String earlierAnswer) {
    }

    private static final class TargetCounter {
        private final Map<Long, Context> inFlight = new java.util.HashMap<>();
        private final java.util.List<Overlap> overlaps = new java.util.ArrayList<>();
        private long requests;

        /** @param received when the request arrived ({@link System#nanoTime()} scale), not when a thread got to it */
        synchronized long begin(Context ctx, long received) {
            long now = received;
            while (inFlight.containsKey(now)) {
                now++;
            }
            requests++;
            for (Map.Entry<Long, Context> e : inFlight.entrySet()) {
                // Read now, while the earlier request is still being answered (Jetty recycles finished ones).
                String kind = e.getValue().attribute(FaultResponder.ANSWER_ATTRIBUTE);
                overlaps.add(new Overlap(now - e.getKey(), kind == null ? "normal" : kind));
            }
            inFlight.put(now, ctx);
            return now;
        }

        synchronized void end(long started) {
            inFlight.remove(started);
        }

        synchronized Traffic traffic(Duration window) {
            Map<String, Long> byAnswer = new java.util.TreeMap<>();
            long n = 0;
            for (Overlap o : overlaps) {
                if (o.ageNanos() < window.toNanos()) {
                    n++;
                    byAnswer.merge(o.earlierAnswer(), 1L, Long::sum);
                }
            }
            return new Traffic(requests, n, byAnswer);
        }
    }

    /** Requests received so far, by path (e.g. {@code /t0001/api/v1/import.status}); a copy. */
    public Map<String, Long> requestCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        requestsByPath.forEach((path, n) -> out.put(path, n.sum()));
        return out;
    }

    /** Requests currently held by a {@link Fault.Hang}. */
    public int hungRequestCount() {
        return hung.size();
    }

    /** Stops serving: hung and trickling requests get their answers cut off. Idempotent. */
    @Override
    public synchronized void close() {
        closing.countDown();
        hung.dropAll();
        if (app != null) {
            app.stop();
        }
    }

    // ---- request handling -----------------------------------------------------------------

    private void count(Context ctx) {
        requests.increment();
        requestsByPath.computeIfAbsent(ctx.path(), p -> new LongAdder()).increment();
    }

    /** Fault first (a sick server or proxy answers before Rocket.Chat's own logic), then rate limit, then the route. */
    private void serve(Context ctx, String route, HungRequests.Answer answer) throws Exception {
        HungRequests.Answer normally = c -> limited(c, route, answer);
        Fault current = fault;
        if (current instanceof Fault.None) {
            normally.write(ctx);
        } else {
            faults.answer(ctx, current, normally);
        }
    }

    private void limited(Context ctx, String route, HungRequests.Answer answer) throws Exception {
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

    private void targetStatus(Context ctx) throws Exception {
        TargetCounter counter = perTarget.computeIfAbsent(ctx.pathParam("target"), t -> new TargetCounter());
        long started = counter.begin(ctx, receivedNanos(ctx));
        try {
            serve(ctx, "GET " + ctx.path(), this::importStatus); // each target its own rate limit, as separate servers
        } finally {
            counter.end(started); // a hung request is parked by now: it no longer counts as being answered
        }
    }

    /**
     * When Jetty began to receive the request. Under load a request can wait for a thread long
     * after it arrived; its age must count from its arrival, as the client's timeout does.
     */
    private static long receivedNanos(Context ctx) {
        try {
            org.eclipse.jetty.ee10.servlet.ServletContextRequest r =
                    org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req());
            if (r != null && r.getBeginNanoTime() != 0) {
                return r.getBeginNanoTime();
            }
        } catch (RuntimeException e) {
            // not Jetty's servlet request: the handler's start is the best we know
        }
        return System.nanoTime();
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
        private boolean anyBasePath;

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

        /**
         * Also serve every route under one leading path segment, {@code /{base}/api/v1/import.status}
         * and so on, as a Rocket.Chat behind a proxy at a sub-path is reached; one server, one
         * simulation, counted per path. Default: off (such paths are 404).
         */
        public Builder anyBasePath(boolean on) {
            this.anyBasePath = on;
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
                    twoFactorRequired, rateLimit, version, anyBasePath));
        }
    }
}
