package io.rcimport.exporter.http.hot;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One rendering at a time, and nobody waits for it who has something to serve: a reader with a
 * previous rendering gets that one while another thread renders; only a reader with none waits.
 * Shared by {@link MetricsEndpoint} and {@link StatusEndpoint}.
 */
final class RenderLock {
    /** A rendering, which may fail. */
    @FunctionalInterface
    interface Rendering<T, E extends Exception> {
        T render() throws E;
    }

    private final ReentrantLock lock = new ReentrantLock();

    /**
     * Renders under the lock, or returns {@code previous} at once if another thread is rendering;
     * with no previous rendering ({@code null}) waits for the lock.
     */
    <T, E extends Exception> T renderOr(T previous, Rendering<T, E> rendering) throws E {
        if (previous != null) {
            if (!lock.tryLock()) {
                return previous;
            }
        } else {
            lock.lock();
        }
        try {
            return rendering.render();
        } finally {
            lock.unlock();
        }
    }

    /** Renders under the lock unless another thread is rendering (then does nothing). */
    <E extends Exception> void renderIfFree(Rendering<?, E> rendering) throws E {
        if (lock.tryLock()) {
            try {
                rendering.render();
            } finally {
                lock.unlock();
            }
        }
    }
}
