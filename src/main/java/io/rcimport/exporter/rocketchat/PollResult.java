package io.rcimport.exporter.rocketchat;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** What one poll (or one attempt) produced. */
public sealed interface PollResult permits PollResult.Success, PollResult.Failure {

    /** {@code X-RateLimit-Remaining} of the answer, when the server sent one. */
    OptionalLong rateLimitRemaining();

    Outcome outcome();

    /** A valid status, with the raw body kept byte for byte for the compatible endpoint. */
    record Success(ImportStatus status, byte[] rawBody, OptionalLong rateLimitRemaining) implements PollResult {
        @Override
        public Outcome outcome() {
            return Outcome.SUCCESS;
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
