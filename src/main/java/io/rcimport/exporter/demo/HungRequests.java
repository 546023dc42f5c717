package io.rcimport.exporter.demo;

import io.javalin.http.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Requests held without an answer ({@link Fault.Hang}), parked as Javalin futures: they hold no
 * thread. Released either into a normal answer (the fault was changed) or by dropping their
 * connection (the server is closing). At most {@link #MAX} are held; beyond that the oldest is
 * dropped, so a long soak cannot pile them up.
 */
final class HungRequests {
    static final int MAX = 256;

    /** The normal answer a released request gets. */
    interface Answer {
        void write(Context ctx) throws Exception;
    }

    private final Deque<CompletableFuture<Boolean>> held = new ArrayDeque<>();
    private boolean closed;

    void hold(Context ctx, Answer normally) {
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
            if (!answer) {
                Connections.drop(ctx);
                return;
            }
            try {
                normally.write(ctx);
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

    /** The server is closing: every held request's connection drops, and new ones are dropped at once. */
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
