package io.rcimport.exporter.http.hot;

import io.rcimport.exporter.status.RawStatus;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that answers {@code GET /metrics}, {@code /status} and {@code /api/v1/import.status}:
 * one {@link Answer} per request, whatever the transport, errors included (401, 400, 404, 503,
 * and 500 for a failure, which is logged).
 */
public final class HotReads {
    public static final String METRICS = "/metrics";
    public static final String STATUS = "/status";
    public static final String IMPORT_STATUS = "/api/v1/import.status";
    public static final Set<String> PATHS = Set.of(METRICS, STATUS, IMPORT_STATUS);
    /** The server's logger: every failed request is logged under one name, whichever code answered it. */
    private static final Logger LOG = LoggerFactory.getLogger("io.rcimport.exporter.http.ApiServer");

    /** What an answer needs of a request. */
    public interface Request {
        /** The header's value, or null. */
        String header(String name);

        /** The query parameter's value, or null. */
        String queryParam(String name);
    }

    private final Authentication auth;
    private final MetricsEndpoint metrics;
    private final StatusEndpoint status;
    private final StatusStore store;
    private final Clock clock;

    private HotReads(Authentication auth, MetricsEndpoint metrics, StatusEndpoint status, StatusStore store, Clock clock) {
        this.auth = auth;
        this.metrics = metrics;
        this.status = status;
        this.store = store;
        this.clock = clock;
    }

    /** @param store the snapshots; the compatible endpoint serves their raw bodies */
    public static HotReads of(Authentication auth, MetricsEndpoint metrics, StatusEndpoint status, StatusStore store, Clock clock) {
        return new HotReads(auth, metrics, status, store, clock);
    }

    /** The answer to a GET of {@code path}, one of {@link #PATHS}. */
    public Answer answer(String path, Request request) {
        try {
            Optional<String> challenge = auth.challenge(request.header("Authorization"));
            if (challenge.isPresent()) {
                return problem(401, new JsonBody.Error("authentication required"), request, "WWW-Authenticate", challenge.get());
            }
            switch (path) {
                case METRICS:
                    return metrics(request);
                case STATUS:
                    return cached(status.body(), request);
                case IMPORT_STATUS:
                    return importStatus(request);
                default:
                    throw new IllegalArgumentException("not a hot read: " + path);
            }
        } catch (Exception e) {
            LOG.error("path={} msg=\"request failed\"", path, e);
            return problem(500, new JsonBody.Error("internal error"), request);
        }
    }

    /** {@code /metrics}, or with {@code ?target=NAME} only that target's series (404 for a name not polled here). */
    private Answer metrics(Request request) throws IOException {
        String target = request.queryParam("target");
        if (target == null) {
            return cached(metrics.body(request.header("Accept")), request);
        }
        Optional<CachedBody> body = metrics.targetBody(target, request.header("Accept"));
        if (body.isEmpty()) {
            return problem(404, new JsonBody.Error("unknown target: " + target), request);
        }
        return cached(body.get(), request);
    }

    /** Forget cached renderings (after a config reload changed the set of targets, or its outcome). */
    public void invalidateCaches() {
        metrics.invalidate();
        status.invalidate();
    }

    /** A cached body, gzipped (once per rendering, not once per request) when the client accepts it. */
    private static Answer cached(CachedBody body, Request request) {
        boolean gzip = body.compressible() && Conditional.acceptsGzip(request.header("Accept-Encoding"));
        if (gzip) {
            body.gzipped(); // here, so that a failure is a problem answer like any other
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", body.contentType());
        headers.put("Vary", "Accept-Encoding");
        return new Answer.Body(body, gzip, headers);
    }

    /**
     * The last body Rocket.Chat returned, unchanged, so scripts written for Rocket.Chat can point
     * here. {@code Age} says how old it is; {@code ETag}/{@code If-None-Match} make re-reads cheap.
     */
    private Answer importStatus(Request request) {
        String name = request.queryParam("target");
        if (name == null || name.isEmpty()) {
            List<String> names = store.names();
            if (names.size() != 1) {
                return problem(400, new JsonBody.RocketChatError(false, "query parameter target is required with more than one target",
                        names), request);
            }
            name = names.get(0);
        }
        Optional<TargetSnapshot> snapshot = store.get(name);
        if (snapshot.isEmpty()) {
            return problem(404, JsonBody.RocketChatError.of("unknown target: " + name), request);
        }
        Optional<RawStatus> raw = snapshot.get().raw();
        if (raw.isEmpty()) {
            return problem(503, JsonBody.RocketChatError.of("no successful poll of target " + name + " yet"), request,
                    "Retry-After", "5");
        }
        RawStatus r = raw.get();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Age", Long.toString(Conditional.ageSeconds(r, clock)));
        headers.put("ETag", r.etag());
        headers.put("Cache-Control", "no-cache");
        String ifNoneMatch = request.header("If-None-Match");
        if (ifNoneMatch != null && Conditional.etagMatches(ifNoneMatch, r.etag())) {
            return new Answer.NotModified(headers);
        }
        headers.put("Content-Type", Answer.JSON_TYPE);
        return new Answer.Body(new CachedBody(Answer.JSON_TYPE, r.bodyInPlace()), false, headers);
    }

    /** A JSON error, gzipped for clients that accept it when large (as Javalin compresses its own answers). */
    private static Answer problem(int status, Object body, Request request, String... headerPairs) {
        CachedBody json = new CachedBody(Answer.JSON_TYPE, JsonBody.bytes(body));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", Answer.JSON_TYPE);
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], headerPairs[i + 1]);
        }
        boolean gzip = json.compressible() && Conditional.acceptsGzip(request.header("Accept-Encoding"));
        return new Answer.Problem(status, json, gzip, headers);
    }
}
