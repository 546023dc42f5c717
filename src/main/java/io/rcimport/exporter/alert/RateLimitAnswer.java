package io.rcimport.exporter.alert;

import io.rcimport.exporter.rocketchat.CappedBodySubscriber;
import io.rcimport.exporter.rocketchat.HttpAnswer;
import io.rcimport.exporter.rocketchat.ResponseClassifier;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads how long a 429 from a delivery endpoint says to wait. A Rocket.Chat incoming webhook
 * sends no Retry-After: its body says "You must wait N seconds", maybe with
 * {@code X-RateLimit-Reset} (read as for import.status, by {@link ResponseClassifier}); a generic
 * receiver may send {@code Retry-After} (seconds or an HTTP date), which wins.
 */
final class RateLimitAnswer {
    /** Enough for Rocket.Chat's error object; the rest of a body is never read. */
    static final int BODY_CAP = 4096;

    private RateLimitAnswer() {
    }

    /** Reads the body of a 429 only (capped), and discards every other body. */
    static HttpResponse.BodyHandler<byte[]> bodyHandler() {
        return info -> info.statusCode() == 429
                ? HttpResponse.BodySubscribers.mapping(new CappedBodySubscriber(BODY_CAP), CappedBodySubscriber.Body::bytes)
                : HttpResponse.BodySubscribers.replacing(new byte[0]);
    }

    static Instant waitUntil(HttpResponse<byte[]> response, Instant now) {
        byte[] body = response.body() == null ? new byte[0] : response.body();
        HttpAnswer answer = HttpAnswer.of(response.statusCode(), response.headers(), body, false);
        return ResponseClassifier.rateLimitedUntil(answer, retryAfter(response.headers(), now), now);
    }

    /** RFC 9110: delay-seconds or an HTTP date; anything else is ignored. */
    static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        Optional<String> value = headers.firstValue("Retry-After").map(String::trim);
        if (value.isEmpty() || value.get().isEmpty()) {
            return Optional.empty();
        }
        String v = value.get();
        if (v.chars().allMatch(Character::isDigit)) {
            return v.length() > 9 ? Optional.of(Duration.ofDays(1)) : Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
