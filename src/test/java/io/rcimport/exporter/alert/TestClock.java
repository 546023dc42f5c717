package io.rcimport.exporter.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A UTC clock that stands still until the test moves it; safe to read from sink and timer threads. */
final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    TestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    static TestClock at(String isoInstant) {
        return new TestClock(Instant.parse(isoInstant));
    }

    Instant advance(Duration by) {
        return now.updateAndGet(t -> t.plus(by));
    }

    Instant set(Instant instant) {
        now.set(instant);
        return instant;
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock stays in UTC");
    }
}
