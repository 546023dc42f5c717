package io.rcimport.exporter.demo;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/** Jetty-specific: dropping a request's connection without an answer, as a crash or network cut does. */
final class Connections {
    private Connections() {
    }

    static void drop(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            throw new IllegalStateException("not a Jetty 12 request: " + ctx.req().getClass());
        }
        request.getConnectionMetaData().getConnection().getEndPoint().close();
    }
}
