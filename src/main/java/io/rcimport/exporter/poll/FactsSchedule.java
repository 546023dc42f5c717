package io.rcimport.exporter.poll;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a target's server version and recent operations are fetched again: far less often than
 * the status, each on its own route (and rate-limit bucket). Immutable; each call returns the
 * next schedule.
 *
 * <p>The version: at the first poll, then hourly once known; while unknown, at most once a
 * {@link #VERSION_RETRY}; and at the next poll after a {@code not_found} (a server that lost
 * import.status was perhaps replaced by an older one; once per run of 404s). The history: every {@code historyInterval}
 * (0: never), after a rate-limit answer not before its reset, never again once refused.
 */
record FactsSchedule(
        Optional<Instant> versionTriedAt,
        Optional<Instant> versionKnownAt,
        boolean versionAfterNotFound,
        boolean lastStatusNotFound,
        Optional<Instant> historyNotBefore,
        boolean historyRefused) {

    static final Duration VERSION_REFRESH = Duration.ofHours(1);
    static final Duration VERSION_RETRY = Duration.ofMinutes(1);

    static FactsSchedule initial() {
        return new FactsSchedule(Optional.empty(), Optional.empty(), false, false, Optional.empty(), false);
    }

    boolean versionDue(Instant now) {
        if (versionAfterNotFound || versionTriedAt.isEmpty()) {
            return true;
        }
        Instant from = versionKnownAt.map(known -> known.plus(VERSION_REFRESH))
                .orElseGet(() -> versionTriedAt.get().plus(VERSION_RETRY));
        return !now.isBefore(from);
    }

    FactsSchedule versionTried(Instant now, boolean known) {
        return new FactsSchedule(Optional.of(now), known ? Optional.of(now) : versionKnownAt, false,
                lastStatusNotFound, historyNotBefore, historyRefused);
    }

    /** After each status poll: the first {@code not_found} of a run makes the version due. */
    FactsSchedule statusPolled(boolean notFound) {
        return new FactsSchedule(versionTriedAt, versionKnownAt, versionAfterNotFound || (notFound && !lastStatusNotFound),
                notFound, historyNotBefore, historyRefused);
    }

    boolean historyDue(Instant now, Duration historyInterval) {
        return !historyRefused && !historyInterval.isZero()
                && historyNotBefore.map(t -> !now.isBefore(t)).orElse(true);
    }

    /** After an attempt: the next one an interval later, or at the rate limiter's reset if that is later. */
    FactsSchedule historyTried(Instant now, Duration historyInterval, Optional<Instant> resetAt) {
        Instant next = now.plus(historyInterval);
        if (resetAt.isPresent() && resetAt.get().isAfter(next)) {
            next = resetAt.get();
        }
        return new FactsSchedule(versionTriedAt, versionKnownAt, versionAfterNotFound, lastStatusNotFound, Optional.of(next),
                historyRefused);
    }

    FactsSchedule historyRefusedNow() {
        return new FactsSchedule(versionTriedAt, versionKnownAt, versionAfterNotFound, lastStatusNotFound, historyNotBefore, true);
    }
}
