package io.rcimport.exporter.alert;

import io.rcimport.exporter.rocketchat.ImportStatusParser;
import io.rcimport.exporter.rocketchat.InvalidResponseException;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.status.SnapshotTransition;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * One target's poll history, built the way the agent builds it: real Rocket.Chat bodies from
 * {@code fixtures/} through the parser and {@link SnapshotTransition}, at the test clock's time.
 */
final class Polls {
    static final Duration STALL_AFTER = Duration.ofMinutes(10);
    static final Duration STALE_AFTER = Duration.ofMinutes(1);

    private final TestClock clock;
    private TargetSnapshot current;

    Polls(String target, TestClock clock) {
        this.clock = clock;
        this.current = TargetSnapshot.initial(target);
    }

    /** A good poll answered with {@code fixtures/<fixture>}. */
    SnapshotTransition.Change answer(String fixture) {
        byte[] body = fixture(fixture);
        try {
            return apply(new PollResult.Success(ImportStatusParser.parse(body), body, OptionalLong.empty()));
        } catch (InvalidResponseException e) {
            throw new AssertionError("fixture " + fixture + " does not parse", e);
        }
    }

    /** A failed poll. */
    SnapshotTransition.Change fail(Outcome outcome, String message) {
        return apply(PollResult.Failure.of(outcome, message));
    }

    TargetSnapshot current() {
        return current;
    }

    private SnapshotTransition.Change apply(PollResult result) {
        SnapshotTransition.Change change = SnapshotTransition.apply(current, result, clock.instant(), STALL_AFTER);
        current = change.current();
        return change;
    }

    static byte[] fixture(String name) {
        try (InputStream in = Polls.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
