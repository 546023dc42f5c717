package io.rcimport.exporter.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How many posts one endpoint may get now: at most {@code perMinute} in any 60 seconds (a
 * sliding window of the times of the last posts; 0 = unlimited), and none before a time a 429
 * named. Time comes from the injected clock only. Thread-safe.
 */
final class HookRateLimit {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final int perMinute;
    private final Clock clock;
    private final Deque<Instant> posts = new ArrayDeque<>();
    private Instant notBefore = Instant.MIN;

    HookRateLimit(int perMinute, Clock clock) {
        if (perMinute < 0) {
            throw new IllegalArgumentException("perMinute < 0: " + perMinute);
        }
        this.perMinute = perMinute;
        this.clock = clock;
    }

    static HookRateLimit unlimited(Clock clock) {
        return new HookRateLimit(0, clock);
    }

    boolean limited() {
        return perMinute > 0;
    }

    /** How long until a post may go out: zero when one may go now. */
    synchronized Duration untilNextPost() {
        Instant now = clock.instant();
        forgetBefore(now);
        Instant earliest = notBefore;
        if (limited() && posts.size() >= perMinute) {
            Instant slot = posts.peekFirst().plus(WINDOW);
            earliest = slot.isAfter(earliest) ? slot : earliest;
        }
        return earliest.isAfter(now) ? Duration.between(now, earliest) : Duration.ZERO;
    }

    /** Posts that may still go out in the current window, counting the one about to be sent; unlimited: MAX_VALUE. */
    synchronized int remaining() {
        if (!limited()) {
            return Integer.MAX_VALUE;
        }
        forgetBefore(clock.instant());
        return perMinute - posts.size();
    }

    /** A post is going out now (every attempt counts: the endpoint counts requests, not events). */
    synchronized void posted() {
        if (limited()) {
            posts.addLast(clock.instant());
        }
    }

    /** The endpoint answered 429: nothing goes out before {@code until}. */
    synchronized void blockedUntil(Instant until) {
        if (until.isAfter(notBefore)) {
            notBefore = until;
        }
    }

    private void forgetBefore(Instant now) {
        Instant cutoff = now.minus(WINDOW);
        while (!posts.isEmpty() && !posts.peekFirst().isAfter(cutoff)) {
            posts.pollFirst();
        }
    }
}
