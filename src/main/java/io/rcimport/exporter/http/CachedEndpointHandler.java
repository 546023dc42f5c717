package io.rcimport.exporter.http;

import io.rcimport.exporter.status.RawStatus;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.status.TargetSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The read endpoints that scrapers and scripts poll, {@code GET /metrics}, {@code GET /status} and
 * {@code GET /api/v1/import.status}, answered by a plain Jetty handler in front of Javalin: they
 * only copy cached bytes to the socket, and the servlet layer and Javalin's routing around them
 * cost three quarters of the time of such a request (bench/run: 0.26 of nginx's requests a second
 * through Javalin). Anything else, and anything a route does not answer itself, goes on to
 * Javalin unchanged: other methods and paths, requests without valid credentials when endpoint
 * auth is on (Javalin answers the 401), the error answers of the compatible endpoint, and a
 * rendering that fails (Javalin's route renders again, and logs and maps the error). The Javalin
 * routes for the same paths give the same answers, so both ways agree.
 */
final class CachedEndpointHandler extends Handler.Wrapper {
    /** Where the body of one path comes from, for a request's {@code Accept} header. */
    @FunctionalInterface
    interface BodySource {
        CachedBody body(String accept) throws Exception;
    }

    /** Answers a request and returns true, or returns false (without touching the response) to leave it to Javalin. */
    @FunctionalInterface
    interface Route {
        boolean answer(Request request, Response response, Callback callback) throws Exception;
    }

    private final EndpointAuth auth;
    private final Map<String, Route> routes;

    /** @param routes per exact request path ({@code /metrics}), what answers a GET */
    CachedEndpointHandler(EndpointAuth auth, Map<String, Route> routes) {
        this.auth = auth;
        this.routes = Map.copyOf(routes);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Route route = HttpMethod.GET.is(request.getMethod()) ? routes.get(request.getHttpURI().getPath()) : null;
        if (route == null || auth.enabled() && !auth.allows(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            return super.handle(request, response, callback);
        }
        boolean answered;
        try {
            answered = route.answer(request, response, callback);
        } catch (Exception e) {
            answered = false;
        }
        return answered || super.handle(request, response, callback);
    }

    /** A cached body, gzipped for clients that accept it. */
    static Route cached(BodySource source) {
        return (request, response, callback) -> {
            HttpFields headers = request.getHeaders();
            CachedBody body = source.body(headers.get(HttpHeader.ACCEPT));
            boolean gzip = body.compressible() && ApiServer.acceptsGzip(headers.get(HttpHeader.ACCEPT_ENCODING));
            byte[] gzipped = gzip ? body.gzipped() : null; // before any header is set: a failure here leaves the response untouched
            HttpFields.Mutable out = response.getHeaders();
            out.put(HttpHeader.CONTENT_TYPE, body.contentType());
            out.put(HttpHeader.VARY, HttpHeader.ACCEPT_ENCODING.asString());
            if (gzip) {
                out.put(HttpHeader.CONTENT_ENCODING, "gzip");
                send(response, callback, 200, gzipped);
            } else {
                out.put(HttpHeader.CONTENT_LENGTH, body.length());
                response.setStatus(200);
                write(response, callback, body.buffers(), 0);
            }
            return true;
        };
    }

    /**
     * The compatible {@code import.status}: the last raw body of the target named by {@code ?target=}
     * (or of the only target), with {@code Age}, {@code ETag} and 304 for a matching
     * {@code If-None-Match}. Errors (no such target, no good poll yet, a missing parameter) are
     * left to Javalin's route.
     */
    static Route rawStatus(StatusStore store, Clock clock) {
        return (request, response, callback) -> {
            String name = Request.extractQueryParameters(request, StandardCharsets.UTF_8).getValue("target");
            if (name == null || name.isEmpty()) {
                List<String> names = store.names();
                if (names.size() != 1) {
                    return false;
                }
                name = names.get(0);
            }
            Optional<RawStatus> raw = store.get(name).flatMap(TargetSnapshot::raw);
            if (raw.isEmpty()) {
                return false;
            }
            RawStatus r = raw.get();
            HttpFields.Mutable out = response.getHeaders();
            out.put(HttpHeader.AGE, Long.toString(ApiServer.ageSeconds(r, clock)));
            out.put(HttpHeader.ETAG, r.etag());
            out.put(HttpHeader.CACHE_CONTROL, "no-cache");
            String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
            if (ifNoneMatch != null && ApiServer.etagMatches(ifNoneMatch, r.etag())) {
                response.setStatus(304);
                callback.succeeded();
                return true;
            }
            out.put(HttpHeader.CONTENT_TYPE, ApiServer.JSON_TYPE);
            send(response, callback, 200, r.bodyInPlace());
            return true;
        };
    }

    /** Writes {@code buffers} from index {@code i} on, one after the other, then completes {@code callback}. */
    private static void write(Response response, Callback callback, List<ByteBuffer> buffers, int i) {
        boolean last = i == buffers.size() - 1;
        response.write(last, buffers.get(i), last ? callback
                : Callback.from(() -> write(response, callback, buffers, i + 1), callback::failed));
    }

    private static void send(Response response, Callback callback, int status, byte[] bytes) {
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.setStatus(status);
        response.write(true, ByteBuffer.wrap(bytes).asReadOnlyBuffer(), callback);
    }
}
