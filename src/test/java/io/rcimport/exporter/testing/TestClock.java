package io.rcimport.exporter.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it. Safe to read from other threads (pollers, the
 * HTTP server, sinks) while the test thread moves it; {@link #withZone(ZoneId)} gives a view that
 * shares the same instant, so moving one moves both.
 */
public final class TestClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private TestClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A UTC clock standing at {@code start}. */
    public TestClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /** A UTC clock standing at {@code start}. */
    public static TestClock at(Instant start) {
        return new TestClock(start);
    }

    /** A UTC clock standing at an ISO-8601 instant, e.g. {@code 2026-05-02T09:00:00Z}. */
    public static TestClock at(String isoInstant) {
        return at(Instant.parse(isoInstant));
    }

    /** Moves the clock forward (or back, for a negative amount) and returns the new instant. */
    public Instant advance(Duration amount) {
        return now.updateAndGet(t -> t.plus(amount));
    }

    /** Sets the clock to {@code instant} and returns it. */
    public Instant set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
        return instant;
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new TestClock(now, newZone);
    }

    @Override
    public String toString() {
        return "TestClock[" + instant() + "," + zone + "]";
    }
}
