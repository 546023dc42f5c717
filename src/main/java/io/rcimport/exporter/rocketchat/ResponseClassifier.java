package io.rcimport.exporter.rocketchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one HTTP answer into exactly one {@link PollResult}, following what Rocket.Chat really
 * sends (see rocketchat-import-api.md): both 401 body shapes, the 403 body, HTML 404s, the 429
 * and the old 400 rate-limit answers, HTML 5xx pages, bodies that are not JSON at all.
 * Pure: no I/O, time passed in.
 */
public final class ResponseClassifier {
    /** Without headers and without a "wait N seconds" message: Rocket.Chat's default window. */
    static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(60);
    /** Never wait longer than this on the server's word (a broken clock must not silence us for days). */
    static final Duration MAX_RATE_LIMIT_WAIT = Duration.ofMinutes(15);
    private static final Duration MIN_RATE_LIMIT_WAIT = Duration.ofSeconds(1);
    private static final Pattern WAIT_SECONDS = Pattern.compile("wait (\\d{1,6}) seconds?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 200;
    /** What Rocket.Chat appends to a permission error, whatever the status code. */
    private static final String PERMISSION_MARK = "[error-unauthorized]";

    private ResponseClassifier() {
    }

    public static PollResult classify(HttpAnswer answer, long bodyCap, Instant now) {
        int status = answer.status();
        if (answer.truncated()) {
            return failure(Outcome.INVALID_RESPONSE, "HTTP " + status + " body larger than " + bodyCap + " bytes", answer);
        }
        if (status == 200) {
            try {
                ImportStatus parsed = ImportStatusParser.parse(answer.body());
                return new PollResult.Success(parsed, answer.body(), answer.rateLimitRemaining(),
                        answer.rateLimitReset().map(reset -> clampReset(reset, now)));
            } catch (InvalidResponseException e) {
                return failure(Outcome.INVALID_RESPONSE, e.getMessage(), answer);
            }
        }
        return failure(answer, now);
    }

    /**
     * Any answer but a 200 (whatever the route): what went wrong, and when to call again after a
     * rate limit. The permission messages name {@code run-import}, the permission import.status needs.
     */
    static PollResult.Failure failure(HttpAnswer answer, Instant now) {
        int status = answer.status();
        Optional<JsonNode> json = jsonObject(answer);
        String serverError = json.map(ResponseClassifier::errorText).orElse("");
        if (status == 429 || (status == 400 && isTooManyRequests(json, serverError))) {
            Instant notBefore = notBefore(answer, serverError, now);
            return new PollResult.Failure(Outcome.RATE_LIMITED,
                    "rate limited by Rocket.Chat (HTTP " + status + "); next call after " + notBefore,
                    Optional.of(notBefore), answer.rateLimitRemaining());
        }
        if (status == 401 && serverError.contains(PERMISSION_MARK)) {
            // 9.0 throws error-unauthorized as a 401 on some routes: a permission, not the login.
            return failure(Outcome.FORBIDDEN, "HTTP 401: " + serverError
                    + " (a missing permission, not a login problem: the user needs the run-import permission)", answer);
        }
        if (status == 401) {
            String hint = serverError.contains("totp") ? " (two-factor authentication is on for this user: use a personal access token)" : "";
            return failure(Outcome.UNAUTHORIZED, "HTTP 401: " + orDefault(serverError, "not logged in") + hint, answer);
        }
        if (status == 403) {
            return failure(Outcome.FORBIDDEN, "HTTP 403: " + orDefault(serverError, "forbidden")
                    + " (the user needs the run-import permission)", answer);
        }
        if (status == 404) {
            return failure(Outcome.NOT_FOUND, "HTTP 404: no import.status endpoint (Rocket.Chat older than 6.3, or a wrong base URL)", answer);
        }
        if (status >= 500 && status <= 599) {
            return failure(Outcome.SERVER_ERROR, "HTTP " + status + describeBody(answer, serverError), answer);
        }
        if (status >= 300 && status <= 399) {
            return failure(Outcome.CLIENT_ERROR, "HTTP " + status + " redirect (not followed: check the url, e.g. http vs https)", answer);
        }
        if (status >= 400 && status <= 499) {
            return failure(Outcome.CLIENT_ERROR, "HTTP " + status + describeBody(answer, serverError), answer);
        }
        return failure(Outcome.INVALID_RESPONSE, "unexpected HTTP status " + status, answer);
    }

    private static Instant clampReset(Instant reset, Instant now) {
        Instant latest = now.plus(MAX_RATE_LIMIT_WAIT);
        return reset.isAfter(latest) ? latest : reset;
    }

    private static PollResult.Failure failure(Outcome outcome, String message, HttpAnswer answer) {
        return new PollResult.Failure(outcome, message, Optional.empty(), answer.rateLimitRemaining());
    }

    private static boolean isTooManyRequests(Optional<JsonNode> json, String serverError) {
        String type = json.map(j -> j.path("errorType").asText("")).orElse("");
        return "error-too-many-requests".equals(type) || serverError.contains("[error-too-many-requests]");
    }

    /**
     * Until when a rate-limited answer (a 429 from any Rocket.Chat endpoint, e.g. an incoming
     * webhook) says to wait: {@code retryAfter} (a generic receiver's Retry-After) first, then
     * as {@link #notBefore}; always between 1 s and 15 min from now.
     */
    public static Instant rateLimitedUntil(HttpAnswer answer, Optional<Duration> retryAfter, Instant now) {
        String serverError = jsonObject(answer).map(ResponseClassifier::errorText).orElse("");
        return retryAfter.isPresent() ? now.plus(clampWait(retryAfter.get())) : notBefore(answer, serverError, now);
    }

    /** Reset header first; else the "wait N seconds" of the message; else the default window. */
    static Instant notBefore(HttpAnswer answer, String serverError, Instant now) {
        Duration wait;
        if (answer.rateLimitReset().isPresent()) {
            wait = Duration.between(now, answer.rateLimitReset().get());
        } else {
            Matcher m = WAIT_SECONDS.matcher(serverError);
            wait = m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : DEFAULT_RATE_LIMIT_WAIT;
        }
        return now.plus(clampWait(wait));
    }

    private static Duration clampWait(Duration wait) {
        if (wait.compareTo(MIN_RATE_LIMIT_WAIT) < 0) {
            return MIN_RATE_LIMIT_WAIT;
        }
        return wait.compareTo(MAX_RATE_LIMIT_WAIT) > 0 ? MAX_RATE_LIMIT_WAIT : wait;
    }

    private static Optional<JsonNode> jsonObject(HttpAnswer answer) {
        byte[] body = answer.body();
        int i = 0;
        while (i < body.length && Character.isWhitespace(body[i])) {
            i++;
        }
        if (i == body.length || body[i] != '{') {
            return Optional.empty(); // HTML or plain text: never parse it as JSON blindly
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** 7.x+: {@code error}; 6.x: {@code message}. */
    private static String errorText(JsonNode json) {
        String text = json.path("error").asText("");
        if (text.isEmpty()) {
            text = json.path("message").asText("");
        }
        return sanitize(text);
    }

    private static String describeBody(HttpAnswer answer, String serverError) {
        if (!serverError.isEmpty()) {
            return ": " + serverError;
        }
        String type = answer.contentType().toLowerCase(Locale.ROOT);
        if (type.contains("html")) {
            return " (HTML page)";
        }
        // The Content-Type is the server's text too: cut and cleaned like its error messages.
        return answer.body().length == 0 ? " (empty body)" : " (" + orDefault(sanitize(type), "untyped") + " body)";
    }

    static String sanitize(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_MESSAGE));
        for (int i = 0; i < text.length() && out.length() < MAX_MESSAGE; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > MAX_MESSAGE) {
            out.append('…');
        }
        return out.toString().trim();
    }

    private static String orDefault(String s, String fallback) {
        return s.isEmpty() ? fallback : s;
    }
}
