package io.rcimport.exporter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A plain TCP forwarder on 127.0.0.1 (any free port) to a backend that can be switched while it
 * runs, so a client configured with one fixed URL can be sent to a different server (e.g. from
 * an HTTPS server to a plain-HTTP one and back). It counts the bytes it passes from the backend
 * to the client, per connection: a client that stops reading makes the count stop growing.
 */
public final class TcpForwarder implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong downstreamTotal = new AtomicLong();
    private final LongAccumulator downstreamMaxPerConnection = new LongAccumulator(Math::max, 0);
    private final AtomicInteger connections = new AtomicInteger();
    private volatile InetSocketAddress backend;
    private volatile boolean closed;

    private TcpForwarder(InetSocketAddress backend) throws IOException {
        this.backend = backend;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "forwarder-accept-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /** Listens on a free loopback port and forwards every connection to {@code backend}. */
    public static TcpForwarder start(InetSocketAddress backend) throws IOException {
        TcpForwarder f = new TcpForwarder(backend);
        f.acceptor.start();
        return f;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** New connections go to {@code next}; connections open now are cut, so none stays with the old backend. */
    public void switchTo(InetSocketAddress next) {
        this.backend = next;
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    /** Bytes passed from backends to clients since the start. */
    public long downstreamBytes() {
        return downstreamTotal.get();
    }

    /** The most bytes one connection passed from its backend to its client. */
    public long maxDownstreamBytesPerConnection() {
        return downstreamMaxPerConnection.get();
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            open.add(client);
            Socket upstream = new Socket();
            open.add(upstream);
            try {
                upstream.connect(backend, 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            AtomicLong down = new AtomicLong();
            pump(client, upstream, null, "up");
            pump(upstream, client, down, "down");
        }
    }

    private void pump(Socket from, Socket to, AtomicLong counter, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[BUFFER];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                    if (counter != null) {
                        downstreamTotal.addAndGet(n);
                        downstreamMaxPerConnection.accumulate(counter.addAndGet(n));
                    }
                }
            } catch (IOException e) {
                // one side went away: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "forwarder-" + direction + "-" + port());
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
