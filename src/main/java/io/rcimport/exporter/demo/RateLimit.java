package io.rcimport.exporter.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * Emulation of Rocket.Chat's REST rate limiter: {@code limit} calls per {@code window}, per
 * client IP, route and method. With {@code sendHeaders} every answer of a limited route carries
 * {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset}
 * (absolute epoch milliseconds); some 7.x builds send none.
 */
public record RateLimit(int limit, Duration window, boolean sendHeaders) {
    public RateLimit {
        Objects.requireNonNull(window, "window");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (limit > 0 && (window.isNegative() || window.isZero())) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
    }

    /** No limiting, no headers. */
    public static RateLimit unlimited() {
        return new RateLimit(0, Duration.ZERO, false);
    }

    /** {@code limit} calls per {@code window}, with headers. */
    public static RateLimit of(int limit, Duration window) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        return new RateLimit(limit, window, true);
    }

    /** Rocket.Chat's default: 10 calls per 60 s. */
    public static RateLimit rocketChatDefault() {
        return of(10, Duration.ofSeconds(60));
    }

    public RateLimit withoutHeaders() {
        return new RateLimit(limit, window, false);
    }

    public boolean enabled() {
        return limit > 0;
    }
}
