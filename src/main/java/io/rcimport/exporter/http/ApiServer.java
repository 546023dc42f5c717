package io.rcimport.exporter.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Gzip;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.router.EndpointNotFound;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.http.hot.Answer;
import io.rcimport.exporter.http.hot.HotReadHandler;
import io.rcimport.exporter.http.hot.HotReads;
import io.rcimport.exporter.http.hot.JsonBody;
import io.rcimport.exporter.http.hot.MetricsEndpoint;
import io.rcimport.exporter.http.hot.StatusEndpoint;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP server: the hot reads ({@link HotReads}, answered in front of Javalin by
 * {@link HotReadHandler}), then one Javalin route table and one exception mapper for the rest.
 * Every handler reads the in-memory snapshots; none ever calls Rocket.Chat.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final StatusStore store;
    private final StatusJson statusJson;
    private final Clock clock;
    private final EndpointAuth auth;
    private final MetricsEndpoint metrics;
    private final HotReads hotReads;
    private final StatusPage statusPage;
    private final Javalin app;
    private final Optional<ServerCertificates> certificates;
    private final ServiceDiscovery discovery;

    private ApiServer(Builder b, String host, int port) {
        this.certificates = b.settings.tls().map(tls -> ServerCertificates.load(tls, b.tlsReloadInterval));
        this.store = b.store;
        this.statusJson = b.statusJson;
        this.discovery = b.discovery != null ? b.discovery
                : new ServiceDiscovery(b.store::names, target -> Map.of(), Optional.empty());
        this.clock = b.clock;
        this.auth = new EndpointAuth(b.settings.auth());
        this.metrics = Objects.requireNonNull(b.metrics, "metrics");
        this.hotReads = HotReads.of(auth, metrics,
                StatusEndpoint.of(store, now -> statusJson.all(store.all(), now, b.version), clock), store, clock);
        this.statusPage = new StatusPage(b.version);
        this.app = Javalin.create(cfg -> {
            configureJetty(cfg, b.settings, host, port);
            routes(cfg, b.settings, b.reloader);
            errors(cfg);
        });
    }

    /** A server over these snapshots; {@link Builder#start} binds it. */
    public static Builder serving(StatusStore store, StatusJson statusJson, Clock clock, String version) {
        return new Builder(store, statusJson, clock, version);
    }

    /** What the server serves besides the snapshots; only {@link #metrics} is required. */
    public static final class Builder {
        private final StatusStore store;
        private final StatusJson statusJson;
        private final Clock clock;
        private final String version;
        private MetricsEndpoint metrics;
        private Config.Server settings = Config.Server.defaults();
        private Optional<Reloader> reloader = Optional.empty();
        private Duration tlsReloadInterval = ServerCertificates.POLL;
        private ServiceDiscovery discovery;

        private Builder(StatusStore store, StatusJson statusJson, Clock clock, String version) {
            this.store = store;
            this.statusJson = statusJson;
            this.clock = clock;
            this.version = version;
        }

        public Builder metrics(MetricsEndpoint metrics) {
            this.metrics = metrics;
            return this;
        }

        /** TLS, endpoint auth and whether {@code POST /-/reload} is on (default: none of them). */
        public Builder settings(Config.Server settings) {
            this.settings = settings;
            return this;
        }

        /** What {@code GET /sd} lists (default: the store's targets, without labels, at the request's Host). */
        public Builder discovery(ServiceDiscovery discovery) {
            this.discovery = discovery;
            return this;
        }

        public Builder reloader(Optional<Reloader> reloader) {
            this.reloader = reloader;
            return this;
        }

        /** How often the server.tls files are checked for changes (tests). */
        Builder tlsReloadInterval(Duration interval) {
            this.tlsReloadInterval = interval;
            return this;
        }

        /** Builds the server and starts listening. */
        public ApiServer start(String host, int port) {
            ApiServer server;
            try {
                server = new ApiServer(this, host, port);
            } catch (RuntimeException e) {
                if (metrics != null) {
                    metrics.close();
                }
                throw e;
            }
            try {
                server.app.start(host, port);
                server.certificates.ifPresent(ServerCertificates::start);
            } catch (RuntimeException e) {
                server.certificates.ifPresent(ServerCertificates::close);
                server.metrics.close();
                throw e;
            }
            return server;
        }
    }

    private void configureJetty(JavalinConfig cfg, Config.Server settings, String host, int port) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setSendServerVersion(false);
            http.setRequestHeaderSize(8 * 1024);
        });
        cfg.jetty.threadPool = threadPool();
        // In front of Javalin, which attaches itself inside the innermost wrapper.
        cfg.jetty.modifyServer(server -> server.insertHandler(new HotReadHandler(hotReads)));
        cfg.http.compressionStrategy = compression();
        certificates.ifPresent(c -> cfg.jetty.addConnector((server, http) -> TlsConnector.create(server, http, c.factory(), host, port)));
    }

    private void routes(JavalinConfig cfg, Config.Server settings, Optional<Reloader> reloader) {
        cfg.http.prefer405over404 = true;
        // Before every request, matched or not: an unknown path or a wrong method reveals nothing without credentials.
        cfg.routes.before(this::authenticate);
        for (String path : HotReads.PATHS) {
            cfg.routes.get(path, ApiServer::answeredInFront);
        }
        cfg.routes.get("/status/{target}", this::statusOfTarget);
        cfg.routes.get("/sd", this::serviceDiscovery);
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
    }

    /**
     * Javalin's own answers (no such path, wrong method) and the routes' deliberate ones (unknown
     * target, 401) are {@link HttpResponseException}s, all rendered as JSON here.
     */
    private static void errors(JavalinConfig cfg) {
        cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e instanceof MethodNotAllowedResponse) {
                allowHeader(e, ctx);
            }
            json(ctx, HttpStatus.forStatus(e.getStatus()), new JsonBody.Error(messageOf(e, ctx)));
        });
        cfg.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("path={} msg=\"request failed\"", ctx.path(), e);
            json(ctx, HttpStatus.INTERNAL_SERVER_ERROR, new JsonBody.Error("internal error"));
        });
    }

    private static String messageOf(HttpResponseException e, Context ctx) {
        if (e instanceof EndpointNotFound) {
            return "not found: " + ctx.path();
        }
        if (e instanceof MethodNotAllowedResponse) {
            return "method not allowed: " + ctx.method();
        }
        return e.getMessage();
    }

    /** {@code Allow}: the methods the path has, as Javalin's own mapper sets it (HttpResponseExceptionMapper). */
    private static void allowHeader(HttpResponseException e, Context ctx) {
        Map<String, String> details = e.getDetails();
        String allowed = details.getOrDefault("availableMethods", details.get("Available methods"));
        if (allowed != null) {
            ctx.header("Allow", allowed);
        }
    }

    /**
     * Javalin's gzip for clients that ask, without its per-response check of the content type
     * against excluded media types: we serve no images or archives, and the check is costly on
     * small responses (bench/README.md). Cached bodies are gzipped once, by the hot reads.
     */
    private static CompressionStrategy compression() {
        CompressionStrategy gzip = new CompressionStrategy(null, new Gzip());
        gzip.setExcludedMimeTypes(List.of());
        return gzip;
    }

    /**
     * A small, named pool: the endpoints are cheap reads of cached bytes, threads cost memory, and
     * more threads than this serve no more requests on a small machine (bench/README.md). Jetty's
     * thread budget (acceptors and selectors) fits in it: the server starts with
     * -XX:ActiveProcessorCount from 2 to 128.
     */
    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(8, 2, 60_000);
        pool.setName("rcie-http-server");
        return pool;
    }

    /** {@code /health} and {@code /ready} stay open (probes); everything else needs credentials when configured. */
    private void authenticate(Context ctx) {
        if (ctx.path().equals("/health") || ctx.path().equals("/ready")) {
            return;
        }
        Optional<String> challenge = auth.challenge(ctx.header("Authorization"));
        if (challenge.isPresent()) {
            ctx.header("WWW-Authenticate", challenge.get());
            throw new UnauthorizedResponse("authentication required");
        }
    }

    /**
     * The hot paths are in the route table so that other methods get 405 and HEAD is answered as
     * for every GET route; their GETs are answered by {@link HotReadHandler} before Javalin sees
     * them, so this never runs.
     */
    private static void answeredInFront(Context ctx) {
        throw new IllegalStateException(ctx.method() + " " + ctx.path() + " reached Javalin: HotReadHandler is not installed");
    }

    public int port() {
        return app.port();
    }

    /** Forget cached renderings (after a config reload changed the set of targets, or its outcome). */
    public void invalidateCaches() {
        hotReads.invalidateCaches();
    }

    @Override
    public void close() {
        certificates.ifPresent(ServerCertificates::close);
        app.stop();
        metrics.close();
    }

    private void statusOfTarget(Context ctx) {
        String name = ctx.pathParam("target");
        TargetSnapshot snapshot = store.get(name).orElseThrow(() -> new NotFoundResponse("unknown target: " + name));
        json(ctx, HttpStatus.OK, statusJson.targetDetail(snapshot, clock.instant()));
    }

    /** Prometheus http_sd; behind the same authentication as {@code /metrics}. */
    private void serviceDiscovery(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || host.isBlank()) {
            host = ctx.req().getLocalName() + ":" + ctx.req().getLocalPort();
        }
        json(ctx, HttpStatus.OK, discovery.groups(host));
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

    private static void json(Context ctx, HttpStatus status, Object body) {
        ctx.status(status).contentType(Answer.JSON_TYPE).result(JsonBody.bytes(body));
    }
}
