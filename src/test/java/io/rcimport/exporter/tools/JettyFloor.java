package io.rcimport.exporter.tools;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The floor under the agent's HTTP stack: a bare Jetty 12 core handler (no servlet, no Javalin)
 * answering every request with the bytes of one file, on the agent's thread pool size. Compare it
 * with wrk against nginx and the agent serving the same bytes (bench/README.md).
 *
 * <p>Usage: {@code JettyFloor PORT FILE [CONTENT_TYPE]}; runs until killed.
 */
public final class JettyFloor {
    private JettyFloor() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        String type = args.length > 2 ? args[2] : "text/plain; version=0.0.4; charset=utf-8";
        Server server = new Server(new QueuedThreadPool(8, 2, 60_000));
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.start();
        server.join();
    }
}
