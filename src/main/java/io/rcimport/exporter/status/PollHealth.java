package io.rcimport.exporter.status;

import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How polling one target goes: the last poll of any kind, good or not. Holds no import data
 * (that is {@link LastGoodImport}).
 *
 * @param lastError          the last failed poll, kept after later good ones (when did it last fail, and why)
 * @param rateLimitRemaining {@code X-RateLimit-Remaining} of the last answer that carried one
 * @param notBefore          no call to the target before this instant (a rate-limit reset)
 */
public record PollHealth(
        long polls,
        Optional<Instant> lastPollAt,
        Optional<Outcome> lastOutcome,
        Optional<PollError> lastError,
        OptionalLong rateLimitRemaining,
        Optional<Instant> notBefore,
        int consecutiveFailures) {

    public static PollHealth none() {
        return new PollHealth(0, Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty(), 0);
    }

    PollHealth afterSuccess(PollResult.Success success, Instant now) {
        return new PollHealth(polls + 1, Optional.of(now), Optional.of(Outcome.SUCCESS), lastError,
                success.rateLimitRemaining(), success.notBefore(now), 0);
    }

    /** {@code message}: the failure's message, possibly told more precisely than the answer alone could. */
    PollHealth afterFailure(PollResult.Failure failure, String message, Instant now) {
        return new PollHealth(polls + 1, Optional.of(now), Optional.of(failure.outcome()),
                Optional.of(new PollError(failure.outcome(), message, now)),
                failure.rateLimitRemaining().isPresent() ? failure.rateLimitRemaining() : rateLimitRemaining,
                failure.notBefore(), consecutiveFailures + 1);
    }
}
