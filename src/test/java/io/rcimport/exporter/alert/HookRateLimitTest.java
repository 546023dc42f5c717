package io.rcimport.exporter.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rcimport.exporter.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sliding one-minute window and 429 waits, on a test clock. */
class HookRateLimitTest {
    private final TestClock clock = TestClock.at("2026-03-02T10:00:00Z");

    @Test
    void the_window_slides_a_post_frees_sixty_seconds_after_it_went_out() {
        HookRateLimit limit = new HookRateLimit(3, clock);
        limit.posted();
        clock.advance(Duration.ofSeconds(20));
        limit.posted();
        limit.posted();

        assertEquals(0, limit.remaining());
        assertEquals(Duration.ofSeconds(40), limit.untilNextPost());
        clock.advance(Duration.ofSeconds(40));
        assertEquals(Duration.ZERO, limit.untilNextPost());
        assertEquals(1, limit.remaining());
    }

    @Test
    void a_429_blocks_even_an_unlimited_endpoint_until_the_time_it_named() {
        HookRateLimit limit = HookRateLimit.unlimited(clock);
        limit.blockedUntil(clock.instant().plusSeconds(42));
        limit.blockedUntil(clock.instant().plusSeconds(5)); // an earlier time does not shorten the wait

        assertEquals(Duration.ofSeconds(42), limit.untilNextPost());
        assertEquals(Integer.MAX_VALUE, limit.remaining());
        clock.advance(Duration.ofSeconds(42));
        assertEquals(Duration.ZERO, limit.untilNextPost());
    }
}
