package io.rcimport.exporter.demo;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Fixed windows per key (client IP, method, route), opened by the first call, like Rocket.Chat's. */
final class RateLimiter {
    /** One call's verdict: allowed or not, and what the headers say. */
    record Decision(boolean allowed, int limit, int remaining, Instant reset) {
        /** Whole seconds until the window resets, as the 429 body states them. */
        long waitSeconds(Instant now) {
            long millis = reset.toEpochMilli() - now.toEpochMilli();
            return Math.max(1, (millis + 999) / 1000);
        }
    }

    private record Window(Instant reset, int calls) {
    }

    private final RateLimit limit;
    private final Map<String, Window> windows = new HashMap<>();

    RateLimiter(RateLimit limit) {
        this.limit = limit;
    }

    synchronized Decision call(String key, Instant now) {
        Window w = windows.get(key);
        if (w == null || !now.isBefore(w.reset())) {
            w = new Window(now.plus(limit.window()), 0);
        }
        w = new Window(w.reset(), w.calls() + 1);
        windows.put(key, w);
        boolean allowed = w.calls() <= limit.limit();
        return new Decision(allowed, limit.limit(), Math.max(0, limit.limit() - w.calls()), w.reset());
    }
}
