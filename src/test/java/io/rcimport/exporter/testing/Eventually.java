package io.rcimport.exporter.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something asynchronous without a fixed sleep: polls a condition up to a generous limit. */
public final class Eventually {
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);

    private Eventually() {
    }

    public static void waitUntil(String what, BooleanSupplier condition) {
        waitUntil(what, DEFAULT_LIMIT, condition);
    }

    public static void waitUntil(String what, Duration limit, BooleanSupplier condition) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not true within " + limit.toMillis() + " ms: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what);
            }
        }
    }
}
