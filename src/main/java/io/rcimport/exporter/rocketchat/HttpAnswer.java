package io.rcimport.exporter.rocketchat;

import java.net.http.HttpHeaders;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One HTTP answer as the classifier needs it: status, the (possibly capped) body, and the rate
 * limiter's headers. {@code truncated} is set when the body was larger than the cap and reading
 * stopped there.
 */
public record HttpAnswer(int status, String contentType, byte[] body, boolean truncated,
                         OptionalLong rateLimitRemaining, Optional<Instant> rateLimitReset) {

    public static HttpAnswer of(int status, HttpHeaders headers, byte[] body, boolean truncated) {
        return new HttpAnswer(status,
                headers.firstValue("Content-Type").orElse(""),
                body, truncated,
                longHeader(headers, "X-RateLimit-Remaining"),
                resetHeader(headers));
    }

    private static OptionalLong longHeader(HttpHeaders headers, String name) {
        Optional<String> v = headers.firstValue(name);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * {@code X-RateLimit-Reset} is an absolute time in epoch milliseconds (Rocket.Chat's limiter).
     * A value too small to be milliseconds is read as epoch seconds, in case a proxy rewrote it.
     */
    private static Optional<Instant> resetHeader(HttpHeaders headers) {
        OptionalLong v = longHeader(headers, "X-RateLimit-Reset");
        if (v.isEmpty() || v.getAsLong() <= 0) {
            return Optional.empty();
        }
        long raw = v.getAsLong();
        return Optional.of(raw < 100_000_000_000L ? Instant.ofEpochSecond(raw) : Instant.ofEpochMilli(raw));
    }
}
