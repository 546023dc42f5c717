package io.rcimport.exporter.http;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The scraped endpoints, {@code GET /metrics} and {@code GET /status}, answered by a plain Jetty
 * handler in front of Javalin: they only copy cached bytes ({@link CachedBody}) to the socket,
 * and the servlet layer and Javalin's routing around them cost three quarters of the time of
 * such a request (bench/run: 0.26 of nginx's requests a second through Javalin). Anything
 * else, and anything this handler does not answer itself, goes on to Javalin unchanged: other
 * methods and paths, requests without valid credentials when endpoint auth is on (Javalin
 * answers the 401), and a rendering that fails (Javalin's route renders again, and logs and
 * maps the error). The Javalin routes for the same paths serve the same cached bodies, so both
 * ways give the same answer.
 */
final class CachedEndpointHandler extends Handler.Wrapper {
    /** Where the body of one path comes from, for a request's {@code Accept} header. */
    @FunctionalInterface
    interface BodySource {
        CachedBody body(String accept) throws Exception;
    }

    private final EndpointAuth auth;
    private final Map<String, BodySource> bodies;

    /** @param bodies per exact request path ({@code /metrics}), where its body comes from */
    CachedEndpointHandler(EndpointAuth auth, Map<String, BodySource> bodies) {
        this.auth = auth;
        this.bodies = Map.copyOf(bodies);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        BodySource source = HttpMethod.GET.is(request.getMethod()) ? bodies.get(request.getHttpURI().getPath()) : null;
        if (source == null) {
            return super.handle(request, response, callback);
        }
        HttpFields headers = request.getHeaders();
        if (auth.enabled() && !auth.allows(headers.get(HttpHeader.AUTHORIZATION))) {
            return super.handle(request, response, callback);
        }
        CachedBody body;
        try {
            body = source.body(headers.get(HttpHeader.ACCEPT));
        } catch (Exception e) {
            return super.handle(request, response, callback);
        }
        boolean gzip = body.compressible() && ApiServer.acceptsGzip(headers.get(HttpHeader.ACCEPT_ENCODING));
        byte[] bytes = gzip ? body.gzipped() : body.bytes();
        HttpFields.Mutable out = response.getHeaders();
        out.put(HttpHeader.CONTENT_TYPE, body.contentType());
        out.put(HttpHeader.VARY, HttpHeader.ACCEPT_ENCODING.asString());
        if (gzip) {
            out.put(HttpHeader.CONTENT_ENCODING, "gzip");
        }
        out.put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.setStatus(200);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
