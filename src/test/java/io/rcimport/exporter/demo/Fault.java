package io.rcimport.exporter.demo;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What {@link SimulatedRocketChat} does instead of answering properly. A fault replaces the
 * answer of every route (before rate limiting and authentication), like a sick server or a
 * proxy in front of it would. Build them with the static factories.
 */
public sealed interface Fault
        permits Fault.None, Fault.Status, Fault.RateLimited, Fault.Truncated, Fault.HugeBody, Fault.Trickle,
        Fault.Hang, Fault.Delayed, Fault.Random {

    /** Answer normally. */
    record None() implements Fault {
    }

    /** A fixed answer: {@code status} with {@code body} of {@code contentType}. */
    record Status(int status, String contentType, String body) implements Fault {
        public Status {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("HTTP status " + status);
            }
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }
    }

    /**
     * The rate limiter's refusal: 429 (or 400 with {@code errorType} on very old servers), body
     * "You must wait N seconds…", and, if {@code withHeaders}, {@code X-RateLimit-*} with the
     * reset {@code retryAfter} from now (absolute epoch milliseconds).
     */
    record RateLimited(int status, Duration retryAfter, boolean withHeaders) implements Fault {
        public RateLimited {
            if (status != 429 && status != 400) {
                throw new IllegalArgumentException("Rocket.Chat rate-limits with 429 or (old servers) 400, not " + status);
            }
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /**
     * The current status body cut in half. With {@code cutConnection} the connection drops after
     * the first half (declared {@code Content-Length} not reached: an I/O error for the client);
     * without, a complete 200 answer whose JSON simply ends early.
     */
    record Truncated(boolean cutConnection) implements Fault {
    }

    /**
     * A 200 JSON body of {@code bytes} bytes (a status with a giant padding string), generated
     * while it is sent, never held in memory. With {@code declareLength} a {@code Content-Length}
     * announces it; otherwise it is chunked.
     */
    record HugeBody(long bytes, boolean declareLength) implements Fault {
        public HugeBody {
            if (bytes < 64) {
                throw new IllegalArgumentException("a huge body needs at least 64 bytes: " + bytes);
            }
        }
    }

    /** The current status body, one byte every {@code perByte}, flushed each time. */
    record Trickle(Duration perByte) implements Fault {
        public Trickle {
            if (perByte.isNegative() || perByte.isZero()) {
                throw new IllegalArgumentException("perByte must be positive: " + perByte);
            }
        }
    }

    /**
     * Accept the request and never answer, until the fault is changed (then the request is
     * answered normally) or the server is closed (then its answer is cut like
     * {@link #droppedConnection()}'s: half a body, then the connection drops).
     */
    record Hang() implements Fault {
    }

    /**
     * The proper answer (rate limiting and authentication included), but only after {@code delay}:
     * a slow server. While it waits the request holds one of the server's threads; closing the
     * server drops it.
     */
    record Delayed(Duration delay) implements Fault {
        public Delayed {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
        }
    }

    /** Per request: with {@code probability} one of {@code choices} picked at random, otherwise none. */
    record Random(double probability, RandomGenerator random, List<Fault> choices) implements Fault {
        public Random {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be within [0, 1]: " + probability);
            }
            Objects.requireNonNull(random, "random");
            choices = List.copyOf(choices);
            if (choices.isEmpty() || choices.stream().anyMatch(Random.class::isInstance)) {
                throw new IllegalArgumentException("choices must be non-empty and not random themselves");
            }
        }

        /** The fault for one request. */
        public Fault pick() {
            synchronized (random) {
                if (random.nextDouble() >= probability) {
                    return none();
                }
                return choices.get(random.nextInt(choices.size()));
            }
        }
    }

    // ---- factories ------------------------------------------------------------------------

    static Fault none() {
        return new None();
    }

    static Fault status(int status, String contentType, String body) {
        return new Status(status, contentType, body);
    }

    /** 500 with Rocket.Chat's JSON body ({@code 500.json}). */
    static Fault internalServerError() {
        return new Status(500, RocketChatBodies.JSON, RocketChatBodies.INTERNAL_SERVER_ERROR);
    }

    /** 500 as an HTML page from a proxy. */
    static Fault internalServerErrorHtml() {
        return new Status(500, RocketChatBodies.HTML, RocketChatBodies.nginxErrorPage(500, "Internal Server Error"));
    }

    /** 502 from a proxy whose Rocket.Chat is gone. */
    static Fault badGateway() {
        return new Status(502, RocketChatBodies.HTML, RocketChatBodies.nginxErrorPage(502, "Bad Gateway"));
    }

    /** 503 from a proxy: Rocket.Chat starting up or overloaded. */
    static Fault serviceUnavailable() {
        return new Status(503, RocketChatBodies.HTML, RocketChatBodies.nginxErrorPage(503, "Service Temporarily Unavailable"));
    }

    /** 404 HTML ({@code 404.html}): a server older than 6.3, or a wrong base URL. */
    static Fault notFoundHtml() {
        return new Status(404, RocketChatBodies.HTML, RocketChatBodies.NOT_FOUND_HTML);
    }

    /** 401 as 6.x sends it ({@code 401-6x.json}). */
    static Fault unauthorized6x() {
        return new Status(401, RocketChatBodies.JSON, RocketChatBodies.UNAUTHORIZED_6X);
    }

    /** 401 as 7.x sends it ({@code 401-7x.json}). */
    static Fault unauthorized7x() {
        return new Status(401, RocketChatBodies.JSON, RocketChatBodies.UNAUTHORIZED_7X);
    }

    /** 401 as 8.x sends it: {@code status} and {@code message} dropped. */
    static Fault unauthorized8x() {
        return new Status(401, RocketChatBodies.JSON, RocketChatBodies.UNAUTHORIZED_8X);
    }

    /** 403: the user lacks {@code run-import} ({@code 403.json}). */
    static Fault forbidden() {
        return new Status(403, RocketChatBodies.JSON, RocketChatBodies.FORBIDDEN);
    }

    /** 429 "wait 42 seconds" ({@code 429.json}), with or without the {@code X-RateLimit-*} headers. */
    static Fault tooManyRequests(boolean withHeaders) {
        return new RateLimited(429, Duration.ofSeconds(42), withHeaders);
    }

    /** 400 with {@code errorType: error-too-many-requests}, as very old servers rate-limit ({@code 400-rate-limited-old.json}). */
    static Fault tooManyRequestsOld() {
        return new RateLimited(400, Duration.ofSeconds(10), false);
    }

    /** The status JSON cut in half, in a complete 200 answer. */
    static Fault truncatedJson() {
        return new Truncated(false);
    }

    /** Half the status JSON, then the connection drops. */
    static Fault droppedConnection() {
        return new Truncated(true);
    }

    /** 200 with Rocket.Chat's web app page instead of JSON (a base URL that misses {@code /api}). */
    static Fault notJson() {
        return new Status(200, RocketChatBodies.HTML, RocketChatBodies.WEB_APP_PAGE);
    }

    /** 200 with JSON whose fields all have the wrong types. */
    static Fault wrongTypes() {
        return new Status(200, RocketChatBodies.JSON, RocketChatBodies.WRONG_TYPES);
    }

    /** A 200 JSON body of {@code mebibytes} MiB, chunked, streamed. */
    static Fault hugeBody(int mebibytes) {
        return new HugeBody(mebibytes * 1024L * 1024L, false);
    }

    /** The status body at one byte per second. */
    static Fault slowTrickle() {
        return new Trickle(Duration.ofSeconds(1));
    }

    static Fault hang() {
        return new Hang();
    }

    /** Answers properly, {@code delay} late. */
    static Fault delayed(Duration delay) {
        return new Delayed(delay);
    }

    /** For a soak: per request, with {@code probability}, one of {@link #soakChoices()}. */
    static Fault randomFaults(double probability, RandomGenerator random) {
        return new Random(probability, random, soakChoices());
    }

    static Fault randomFaults(double probability, RandomGenerator random, List<Fault> choices) {
        return new Random(probability, random, choices);
    }

    /** Every kind of fault once, with sizes fit for a long soak (a 4 MiB body). */
    static List<Fault> soakChoices() {
        return List.of(
                internalServerError(), internalServerErrorHtml(), badGateway(), serviceUnavailable(), notFoundHtml(),
                unauthorized6x(), unauthorized7x(), forbidden(),
                tooManyRequests(true), tooManyRequests(false), tooManyRequestsOld(),
                truncatedJson(), droppedConnection(), notJson(), wrongTypes(),
                hugeBody(4), slowTrickle(), hang());
    }
}
