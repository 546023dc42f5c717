package io.rcimport.exporter.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for something another thread does without a fixed sleep: polls a condition up to a generous limit (CI machines are slow). */
public final class Eventually {
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);

    private Eventually() {
    }

    public static void await(String what, BooleanSupplier condition) {
        await(what, DEFAULT_LIMIT, condition, () -> "");
    }

    public static void await(String what, Duration limit, BooleanSupplier condition) {
        await(what, limit, condition, () -> "");
    }

    /** @param state what the failure message adds, read once the limit has passed */
    public static void await(String what, BooleanSupplier condition, Supplier<String> state) {
        await(what, DEFAULT_LIMIT, condition, state);
    }

    private static void await(String what, Duration limit, BooleanSupplier condition, Supplier<String> state) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not true within " + limit.toMillis() + " ms: " + what + " " + state.get());
            }
            pause(Duration.ofMillis(20));
        }
    }

    /** Lets time pass, for checking that something does NOT happen. */
    public static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
