package io.rcimport.exporter.demo;

import io.javalin.http.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Requests held without an answer ({@link Fault.Hang}), parked as Javalin futures: they hold no
 * thread. Released either into a normal answer (the fault was changed) or into a cut one (the
 * server is closing). At most {@link #MAX} are held; beyond that the oldest is cut, so a long soak
 * cannot pile them up.
 *
 * <p>A cut answer sends some bytes before dropping the connection. A connection closed before any
 * byte makes the JDK client retry the GET at once, and a retry that reaches a Jetty in the middle
 * of stopping can be accepted and then never served nor closed.
 */
final class HungRequests {
    static final int MAX = 256;

    private final Deque<CompletableFuture<Boolean>> held = new ArrayDeque<>();
    private boolean closed;

    void hold(Context ctx, SimulatedRocketChat.Answer normally, SimulatedRocketChat.Answer cut) {
        CompletableFuture<Boolean> release = new CompletableFuture<>();
        CompletableFuture<Boolean> evicted = null;
        synchronized (this) {
            if (closed) {
                release.complete(false);
            } else {
                held.addLast(release);
                if (held.size() > MAX) {
                    evicted = held.removeFirst();
                }
            }
        }
        if (evicted != null) {
            evicted.complete(false);
        }
        ctx.future(() -> release.thenAccept(answer -> {
            try {
                (answer ? normally : cut).write(ctx);
            } catch (Exception e) {
                Connections.drop(ctx);
            }
        }));
    }

    synchronized int size() {
        return held.size();
    }

    /** The fault is over: every held request gets its normal answer now. */
    void answerAll() {
        releaseAll(true);
    }

    /** The server is closing: every held request gets its cut answer, and so do new ones at once. */
    void dropAll() {
        synchronized (this) {
            closed = true;
        }
        releaseAll(false);
    }

    private void releaseAll(boolean answer) {
        List<CompletableFuture<Boolean>> all;
        synchronized (this) {
            all = new ArrayList<>(held);
            held.clear();
        }
        all.forEach(release -> release.complete(answer));
    }
}
