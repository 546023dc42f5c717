package io.rcimport.exporter.http.hot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes {@link HotReads}' answers to Jetty, in front of the servlet layer and Javalin's routing
 * (which would cost more than copying the cached bytes: bench/README.md). Every GET of the hot
 * paths is answered here; anything else (HEAD and other methods too) goes on to Javalin unchanged.
 */
public final class HotReadHandler extends Handler.Wrapper {
    private final HotReads reads;

    public HotReadHandler(HotReads reads) {
        this.reads = reads;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (!HttpMethod.GET.is(request.getMethod()) || !HotReads.PATHS.contains(path)) {
            return super.handle(request, response, callback);
        }
        write(reads.answer(path, new JettyRequest(request)), response, callback);
        return true;
    }

    private record JettyRequest(Request request) implements HotReads.Request {
        @Override
        public String header(String name) {
            return request.getHeaders().get(name);
        }

        /** A query that does not decode counts as no parameter, as Javalin reads it. */
        @Override
        public String queryParam(String name) {
            try {
                return Request.extractQueryParameters(request, StandardCharsets.UTF_8).getValue(name);
            } catch (RuntimeException badlyEncoded) {
                return null;
            }
        }
    }

    private static void write(Answer answer, Response response, Callback callback) {
        HttpFields.Mutable out = response.getHeaders();
        answer.headers().forEach(out::put);
        response.setStatus(answer.status());
        CachedBody body;
        boolean gzip;
        if (answer instanceof Answer.Body b) {
            body = b.body();
            gzip = b.gzip();
        } else if (answer instanceof Answer.Problem p) {
            body = p.body();
            gzip = p.gzip();
        } else {
            callback.succeeded(); // not modified: no body
            return;
        }
        if (gzip) {
            byte[] gzipped = body.gzipped();
            out.put(HttpHeader.CONTENT_ENCODING, "gzip");
            out.put(HttpHeader.CONTENT_LENGTH, gzipped.length);
            response.write(true, ByteBuffer.wrap(gzipped).asReadOnlyBuffer(), callback);
        } else {
            out.put(HttpHeader.CONTENT_LENGTH, body.length());
            write(response, callback, body.buffers(), 0);
        }
    }

    /** Writes {@code buffers} from index {@code i} on, one after the other, then completes {@code callback}. */
    private static void write(Response response, Callback callback, List<ByteBuffer> buffers, int i) {
        boolean last = i == buffers.size() - 1;
        response.write(last, buffers.get(i), last ? callback
                : Callback.from(() -> write(response, callback, buffers, i + 1), callback::failed));
    }
}
