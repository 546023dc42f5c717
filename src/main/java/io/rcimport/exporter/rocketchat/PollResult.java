package io.rcimport.exporter.rocketchat;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** What one poll (or one attempt) produced. */
public sealed interface PollResult permits PollResult.Success, PollResult.Failure {

    /** {@code X-RateLimit-Remaining} of the answer, when the server sent one. */
    OptionalLong rateLimitRemaining();

    Outcome outcome();

    /**
     * A valid status, with the raw body kept byte for byte for the compatible endpoint, and the
     * rate limiter's reset time: with no calls remaining, the next one waits for it.
     */
    record Success(ImportStatus status, byte[] rawBody, OptionalLong rateLimitRemaining, Optional<Instant> rateLimitReset)
            implements PollResult {
        public Success(ImportStatus status, byte[] rawBody, OptionalLong rateLimitRemaining) {
            this(status, rawBody, rateLimitRemaining, Optional.empty());
        }

        @Override
        public Outcome outcome() {
            return Outcome.SUCCESS;
        }

        /** When the next call may be made, if the server said none remain before its reset. */
        public Optional<Instant> notBefore(Instant now) {
            boolean exhausted = rateLimitRemaining.isPresent() && rateLimitRemaining.getAsLong() <= 0;
            return exhausted ? rateLimitReset.filter(reset -> reset.isAfter(now)) : Optional.empty();
        }
    }

    /**
     * Anything else. {@code message} is for humans and never holds a secret; {@code notBefore}
     * is set after a rate-limit answer: no call to this target before that instant.
     */
    record Failure(Outcome outcome, String message, Optional<Instant> notBefore, OptionalLong rateLimitRemaining)
            implements PollResult {
        public static Failure of(Outcome outcome, String message) {
            return new Failure(outcome, message, Optional.empty(), OptionalLong.empty());
        }
    }
}
