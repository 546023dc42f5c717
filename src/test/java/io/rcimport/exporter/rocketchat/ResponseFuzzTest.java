package io.rcimport.exporter.rocketchat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz tests for what a Rocket.Chat server (or anything pretending to be one) can send us.
 *
 * <p>In a plain {@code mvn test} these replay the regression inputs in
 * {@code src/test/resources/io/rcimport/exporter/rocketchat/ResponseFuzzTestInputs/<method>/}
 * (one file per input, raw bytes). With {@code JAZZER_FUZZ=1} Jazzer fuzzes one method for its
 * {@code maxDuration}; see scripts/README.md for the commands. A crash is written into the same
 * directory, so once the bug is fixed it stays a regression test.
 */
class ResponseFuzzTest {
    /** Generous for every message we build; the server's own text is cut at 200 characters. */
    static final int MAX_MESSAGE = 300;
    private static final long CAP = RocketChatClient.DEFAULT_BODY_CAP;
    private static final Instant NOW = Instant.parse("2026-05-02T09:00:00Z");

    /**
     * The parser returns a status or throws {@link InvalidResponseException} with a short,
     * one-line message; nothing else ever escapes it.
     */
    @DictionaryEntries({"\"state\":", "\"operation\":", "\"count\":", "\"success\":", "\"_id\":", "\"type\":",
            "\"importerKey\":", "\"status\":", "\"valid\":", "\"ts\":", "\"_updatedAt\":", "\"$date\":",
            "\"total\":", "\"completed\":", "\"error\":", "\"users\":", "\"channels\":", "\"messages\":",
            "\"importing\"", "\"importer_importing_messages\"", "\"2024-02-29T12:00:00.000Z\"", "true", "false", "null", "{}", "[]"})
    @FuzzTest(maxDuration = "3m")
    void parser_returns_a_status_or_throws_only_invalid_response(byte[] body) {
        try {
            ImportStatus status = ImportStatusParser.parse(body);
            check(status != null && status.state() != null && status.operation() != null, "a status with a state");
            status.operation().ifPresent(op -> check(op.counts() != null && op.id() != null && op.status() != null
                    && op.createdAt() != null && op.updatedAt() != null, "an operation without nulls"));
        } catch (InvalidResponseException e) {
            checkMessage(e.getMessage());
        }
    }

    /**
     * One HTTP answer, laid out in the input as:
     * <pre>
     * byte 0      status: below 0x80 one of {@link #STATUSES}; else ((b0 &amp; 0x7f) &lt;&lt; 8 | byte 1) % 1000
     * next byte   flags: 1 truncated, 2 send Content-Type, 4 X-RateLimit-Remaining, 8 X-RateLimit-Reset,
     *             16 a tiny body cap (the body length / 2), 32 "now" from the next 6 bytes (epoch ms)
     * then        for each header sent: one length byte (0xff: the length is in the next two bytes), that many bytes (ISO-8859-1)
     * the rest    the body
     * </pre>
     * so a seed is two bytes ({@code 00 00} = 200, no headers) followed by a recorded body.
     */
    @DictionaryEntries({"{\"error\":\"", "{\"message\":\"", "\"errorType\":\"error-too-many-requests\"", "[error-too-many-requests]",
            "wait 42 seconds", "totp", "application/json", "text/html", "{\"state\":\"none\",\"success\":true}"})
    @FuzzTest(maxDuration = "3m")
    void classifier_gives_exactly_one_bounded_outcome(byte[] input) {
        Input in = new Input(input);
        int status = in.status();
        int flags = in.next();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if ((flags & 2) != 0) {
            headers.put("Content-Type", List.of(in.string()));
        }
        if ((flags & 4) != 0) {
            headers.put("X-RateLimit-Remaining", List.of(in.string()));
        }
        if ((flags & 8) != 0) {
            headers.put("X-RateLimit-Reset", List.of(in.string()));
        }
        Instant now = (flags & 32) != 0 ? Instant.ofEpochMilli(in.long48()) : NOW;
        byte[] body = in.rest();
        boolean truncated = (flags & 1) != 0;
        long cap = (flags & 16) != 0 ? body.length / 2 : CAP;

        HttpAnswer answer = HttpAnswer.of(status, HttpHeaders.of(headers, (name, value) -> true), body, truncated);
        PollResult result = ResponseClassifier.classify(answer, cap, now);

        check(result != null && result.outcome() != null && result.rateLimitRemaining() != null, "one outcome");
        boolean parses = parses(body);
        if (result instanceof PollResult.Success s) {
            check(result.outcome() == Outcome.SUCCESS, "a success is SUCCESS");
            check(status == 200 && !truncated && parses, "SUCCESS only for a complete 200 the parser accepts");
            check(Arrays.equals(s.rawBody(), body), "the raw body kept byte for byte");
        } else {
            PollResult.Failure f = (PollResult.Failure) result;
            check(f.outcome() != Outcome.SUCCESS, "a failure is not SUCCESS");
            check(!(status == 200 && !truncated && parses), "a complete 200 the parser accepts is a success");
            checkMessage(f.message());
            check(f.notBefore() != null, "notBefore is never null");
            check(f.notBefore().isPresent() == (f.outcome() == Outcome.RATE_LIMITED), "notBefore only when rate limited");
            f.notBefore().ifPresent(t -> check(!t.isBefore(now.plusSeconds(1)) && !t.isAfter(now.plus(Duration.ofMinutes(15))),
                    "a rate-limit wait between 1 s and 15 min, got " + Duration.between(now, t)));
        }
    }

    /** Statuses picked by a first byte below 0x80: the ones the classifier tells apart, and odd ones. */
    static final int[] STATUSES = {200, 401, 403, 404, 429, 400, 500, 502, 503, 504, 301, 302, 204, 201, 418, 422, 100, 0, 599, 600, 999, -1};

    private static boolean parses(byte[] body) {
        try {
            ImportStatusParser.parse(body);
            return true;
        } catch (InvalidResponseException e) {
            return false;
        }
    }

    /** Messages go to logs (logfmt {@code msg="..."}) and /status: short, one line, printable. */
    private static void checkMessage(String message) {
        check(message != null && !message.isBlank(), "a message");
        check(message.length() <= MAX_MESSAGE, "a message of at most " + MAX_MESSAGE + " characters, got " + message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            check(!Character.isISOControl(c), "no control character in the message, got U+" + Integer.toHexString(c) + " in: " + message);
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** Reads the layout of {@link #classifier_gives_exactly_one_bounded_outcome}; past the end every read is 0 / empty. */
    private static final class Input {
        private final byte[] data;
        private int pos;

        Input(byte[] data) {
            this.data = data;
        }

        int next() {
            return pos < data.length ? data[pos++] & 0xff : 0;
        }

        int status() {
            int b = next();
            if (b < 0x80) {
                return STATUSES[b % STATUSES.length];
            }
            return (((b & 0x7f) << 8) | next()) % 1000;
        }

        /** A length byte (0xff: two more bytes, big-endian), then that many bytes. */
        String string() {
            int length = next();
            if (length == 0xff) {
                length = (next() << 8) | next();
            }
            int n = Math.max(0, Math.min(length, data.length - pos));
            String s = new String(data, pos, n, StandardCharsets.ISO_8859_1);
            pos += n;
            return s;
        }

        long long48() {
            long v = 0;
            for (int i = 0; i < 6; i++) {
                v = (v << 8) | next();
            }
            return v;
        }

        byte[] rest() {
            byte[] r = Arrays.copyOfRange(data, Math.min(pos, data.length), data.length);
            pos = data.length;
            return r;
        }
    }
}
