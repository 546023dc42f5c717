package io.rcimport.exporter.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.status.RawStatus;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP server: one route table, one error mapper. Every handler reads the
 * in-memory snapshots; none ever calls Rocket.Chat.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String JSON_TYPE = "application/json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Request attribute set by {@link #json}: the answer is ours, error handlers leave it alone. */
    private static final String OWN_ANSWER = "rcie.own-answer";

    private final StatusStore store;
    private final MetricsEndpoint metrics;
    private final StatusJson statusJson;
    private final StatusEndpoint statusEndpoint;
    private final StatusPage statusPage;
    private final Clock clock;
    private final String version;
    private final Javalin app;
    private final EndpointAuth auth;
    private volatile String host = "0.0.0.0";
    private volatile int port;

    /** Without TLS, auth or reload (tests, and the plain default). */
    public ApiServer(StatusStore store, MetricsEndpoint metrics, StatusJson statusJson, Clock clock, String version) {
        this(store, metrics, statusJson, clock, version, Config.Server.defaults(), Optional.empty());
    }

    public ApiServer(StatusStore store, MetricsEndpoint metrics, StatusJson statusJson, Clock clock, String version,
                     Config.Server settings, Optional<Reloader> reloader) {
        this.auth = new EndpointAuth(settings.auth());
        this.store = store;
        this.metrics = metrics;
        this.statusJson = statusJson;
        this.statusEndpoint = new StatusEndpoint(store, statusJson, clock, version);
        this.statusPage = new StatusPage(version);
        this.clock = clock;
        this.version = version;
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.prefer405over404 = true;
            cfg.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setRequestHeaderSize(8 * 1024);
            });
            cfg.jetty.threadPool = threadPool();
            // In front of Javalin (which attaches itself inside the innermost wrapper): the scraped endpoints.
            cfg.jetty.modifyServer(server -> server.insertHandler(new CachedEndpointHandler(auth, Map.of(
                    "/metrics", CachedEndpointHandler.cached(metrics::body),
                    "/status", CachedEndpointHandler.cached(accept -> statusEndpoint.body()),
                    "/api/v1/import.status", CachedEndpointHandler.rawStatus(store, clock)))));
            cfg.http.compressionStrategy = compression();
            settings.tls().ifPresent(tls -> cfg.jetty.addConnector((server, http) -> TlsConnector.create(server, http, tls, host, port)));
            cfg.routes.before(this::authenticate);
            cfg.routes.get("/metrics", this::metrics);
            cfg.routes.get("/status", this::status);
            cfg.routes.get("/status/{target}", this::statusOfTarget);
            cfg.routes.get("/api/v1/import.status", this::compatibleStatus);
            cfg.routes.get("/health", ctx -> json(ctx, HttpStatus.OK, Map.of("status", "ok")));
            cfg.routes.get("/ready", this::ready);
            cfg.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(statusPage.html()));
            if (settings.enableReload() && reloader.isPresent()) {
                cfg.routes.post("/-/reload", ctx -> {
                    Reloader.Result r = reloader.get().reload();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("applied", r.applied());
                    body.put("message", r.message());
                    json(ctx, r.applied() ? HttpStatus.OK : HttpStatus.BAD_REQUEST, body);
                });
            }
            cfg.routes.error(404, ctx -> {
                // Javalin has already answered an unknown path itself (plain text, so ctx.result()
                // is set); only a deliberate 404 of our own handlers (unknown target) is kept.
                if (ctx.attribute(OWN_ANSWER) == null) {
                    json(ctx, HttpStatus.NOT_FOUND, error("not found: " + ctx.path()));
                }
            });
            cfg.routes.error(405, ctx -> json(ctx, HttpStatus.METHOD_NOT_ALLOWED, error("method not allowed: " + ctx.method())));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("path={} msg=\"request failed\"", ctx.path(), e);
                json(ctx, HttpStatus.INTERNAL_SERVER_ERROR, error("internal error"));
            });
        });
    }

    public ApiServer start(String host, int port) {
        this.host = host;
        this.port = port;
        app.start(host, port);
        return this;
    }

    /**
     * Gzip for clients that ask (as Javalin's default), but without Javalin's per-response check
     * of the content type against its list of excluded media types (images, archives: we serve
     * none), a case-insensitive substring search that was a quarter of the JFR samples of a cached
     * /metrics response. /metrics gzips its cached bytes itself (Content-Encoding set: Javalin
     * leaves it alone).
     */
    private static io.javalin.compression.CompressionStrategy compression() {
        io.javalin.compression.CompressionStrategy gzip =
                new io.javalin.compression.CompressionStrategy(null, new io.javalin.compression.Gzip());
        gzip.setExcludedMimeTypes(List.of());
        return gzip;
    }

    /**
     * A small, named pool: the endpoints are cheap reads of cached bytes, and threads cost memory.
     * 8 serve as many requests a second as 16 on 2 cores (bench/run), with 8 fewer threads under
     * load. Jetty's thread budget (acceptors and selectors) fits in it: the server starts with
     * -XX:ActiveProcessorCount from 2 to 128.
     */
    private static org.eclipse.jetty.util.thread.QueuedThreadPool threadPool() {
        org.eclipse.jetty.util.thread.QueuedThreadPool pool = new org.eclipse.jetty.util.thread.QueuedThreadPool(8, 2, 60_000);
        pool.setName("rcie-http-server");
        return pool;
    }

    /** {@code /health} and {@code /ready} stay open (probes); everything else needs credentials when configured. */
    private void authenticate(Context ctx) {
        if (!auth.enabled() || ctx.path().equals("/health") || ctx.path().equals("/ready")) {
            return;
        }
        if (!auth.allows(ctx.header("Authorization"))) {
            if (auth.basicEnabled()) {
                ctx.header("WWW-Authenticate", "Basic realm=\"rocketchat-import-exporter\", charset=\"UTF-8\"");
            } else {
                ctx.header("WWW-Authenticate", "Bearer realm=\"rocketchat-import-exporter\"");
            }
            ctx.attribute(OWN_ANSWER, Boolean.TRUE);
            json(ctx, HttpStatus.UNAUTHORIZED, error("authentication required"));
            ctx.skipRemainingHandlers();
        }
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private void metrics(Context ctx) throws IOException {
        send(ctx, metrics.body(ctx.header("Accept")));
    }

    /**
     * A cached body, gzipped when the client accepts it (compressed once per rendering, not once
     * per request as Javalin would). {@link CachedEndpointHandler} answers the same way.
     */
    private static void send(Context ctx, CachedBody body) {
        ctx.contentType(body.contentType());
        ctx.header("Vary", "Accept-Encoding");
        if (body.compressible() && acceptsGzip(ctx.header("Accept-Encoding"))) {
            ctx.header("Content-Encoding", "gzip");
            ctx.result(body.gzipped());
        } else {
            ctx.result(body.bytes());
        }
    }

    /**
     * Whether {@code Accept-Encoding} allows gzip: named without {@code q=0}, or, when gzip is not
     * named, {@code *} without {@code q=0}.
     */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        Boolean gzip = null;
        Boolean star = null;
        for (String part : acceptEncoding.split(",")) {
            String[] fields = part.split(";");
            String coding = fields[0].trim();
            boolean gz = coding.equalsIgnoreCase("gzip");
            if (!gz && !coding.equals("*")) {
                continue;
            }
            boolean accepted = true;
            for (int i = 1; i < fields.length; i++) {
                String param = fields[i].trim().toLowerCase(java.util.Locale.ROOT).replace(" ", "");
                if (param.startsWith("q=")) {
                    try {
                        accepted = Double.parseDouble(param.substring(2)) > 0;
                    } catch (NumberFormatException e) {
                        accepted = false;
                    }
                }
            }
            if (gz) {
                gzip = accepted;
            } else {
                star = accepted;
            }
        }
        return gzip != null ? gzip : Boolean.TRUE.equals(star);
    }

    private void status(Context ctx) {
        send(ctx, statusEndpoint.body());
    }

    /** Forget cached renderings (after a config reload changed the set of targets, or its outcome). */
    public void invalidateCaches() {
        metrics.invalidate();
        statusEndpoint.invalidate();
    }

    private void statusOfTarget(Context ctx) {
        String name = ctx.pathParam("target");
        Optional<TargetSnapshot> s = store.get(name);
        if (s.isEmpty()) {
            json(ctx, HttpStatus.NOT_FOUND, error("unknown target: " + name));
            return;
        }
        json(ctx, HttpStatus.OK, statusJson.targetDetail(s.get(), clock.instant()));
    }

    /**
     * The last body Rocket.Chat returned, unchanged, so scripts written for Rocket.Chat can point
     * here. {@code Age} says how old it is; {@code ETag}/{@code If-None-Match} make re-reads cheap.
     */
    private void compatibleStatus(Context ctx) {
        List<String> names = store.names();
        String name = ctx.queryParam("target");
        if (name == null || name.isEmpty()) {
            if (names.size() != 1) {
                Map<String, Object> body = rocketChatError("query parameter target is required with more than one target");
                body.put("targets", names);
                json(ctx, HttpStatus.BAD_REQUEST, body);
                return;
            }
            name = names.get(0);
        }
        Optional<TargetSnapshot> snapshot = store.get(name);
        if (snapshot.isEmpty()) {
            json(ctx, HttpStatus.NOT_FOUND, rocketChatError("unknown target: " + name));
            return;
        }
        Optional<RawStatus> raw = snapshot.get().raw();
        if (raw.isEmpty()) {
            ctx.header("Retry-After", "5");
            json(ctx, HttpStatus.SERVICE_UNAVAILABLE, rocketChatError("no successful poll of target " + name + " yet"));
            return;
        }
        RawStatus r = raw.get();
        ctx.header("Age", Long.toString(ageSeconds(r, clock)));
        ctx.header("ETag", r.etag());
        ctx.header("Cache-Control", "no-cache");
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null && etagMatches(ifNoneMatch, r.etag())) {
            ctx.status(HttpStatus.NOT_MODIFIED);
            return;
        }
        ctx.contentType(JSON_TYPE).result(r.bodyInPlace());
    }

    /** Whole seconds since the body was fetched, for {@code Age}. */
    static long ageSeconds(RawStatus r, Clock clock) {
        return Math.max(0, Duration.between(r.fetchedAt(), clock.instant()).getSeconds());
    }

    static boolean etagMatches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private void ready(Context ctx) {
        List<TargetSnapshot> all = store.all();
        long polled = all.stream().filter(TargetSnapshot::polled).count();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", polled == all.size());
        body.put("targets_polled", polled);
        body.put("targets", all.size());
        json(ctx, polled == all.size() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, body);
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    /** Shaped like Rocket.Chat's own errors, for the compatible endpoint's clients. */
    private static Map<String, Object> rocketChatError(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("success", false);
        m.put("error", message);
        return m;
    }

    static void json(Context ctx, HttpStatus status, Object body) {
        try {
            ctx.status(status).contentType(JSON_TYPE).result(JSON.writeValueAsBytes(body));
            ctx.attribute(OWN_ANSWER, Boolean.TRUE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a plain map", e);
        }
    }

}
