package io.rcimport.exporter.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * When each processed count ({@code completed + error}) of one operation was first seen.
 * Rocket.Chat writes counts in jumps of 50 (500 for messages), so a rate from the last two
 * polls is either 0 or a spike; this measures over a window instead: from the count at the
 * window's start to the count now, over the time between. A stall decays the rate toward 0 as
 * the window slides.
 */
public record ProgressHistory(String operationId, List<Sample> samples) {
    /** How far back the rate looks. */
    public static final Duration WINDOW = Duration.ofMinutes(5);
    /** Less history than this gives no rate at all (absent, not a guess). */
    public static final Duration MIN_SPAN = Duration.ofSeconds(10);
    private static final int MAX_SAMPLES = 128;

    public record Sample(Instant at, long processed) {
    }

    public ProgressHistory {
        samples = List.copyOf(samples);
    }

    public static ProgressHistory empty() {
        return new ProgressHistory("", List.of());
    }

    /** Adds an observation; a new operation id starts a new history. */
    public ProgressHistory observe(String opId, long processed, Instant at) {
        List<Sample> kept = opId.equals(operationId) ? new ArrayList<>(samples) : new ArrayList<>();
        if (!kept.isEmpty() && kept.get(kept.size() - 1).processed() == processed) {
            return opId.equals(operationId) ? prune(kept, at, opId) : new ProgressHistory(opId, kept);
        }
        if (!kept.isEmpty() && processed < kept.get(kept.size() - 1).processed()) {
            kept.clear(); // counts went backwards: the operation was reset, old samples mean nothing
        }
        kept.add(new Sample(at, processed));
        return prune(kept, at, opId);
    }

    private static ProgressHistory prune(List<Sample> kept, Instant now, String opId) {
        Instant windowStart = now.minus(WINDOW);
        // Keep the newest sample at or before the window start: it is the count at that moment.
        int firstKept = 0;
        for (int i = 0; i < kept.size(); i++) {
            if (!kept.get(i).at().isAfter(windowStart)) {
                firstKept = i;
            }
        }
        List<Sample> pruned = kept.subList(firstKept, kept.size());
        if (pruned.size() > MAX_SAMPLES) {
            pruned = pruned.subList(pruned.size() - MAX_SAMPLES, pruned.size());
        }
        return new ProgressHistory(opId, pruned);
    }

    /** Records per second over the window ending now; absent with too little history. */
    public OptionalDouble ratePerSecond(Instant now) {
        if (samples.isEmpty()) {
            return OptionalDouble.empty();
        }
        Sample anchor = samples.get(0);
        Instant windowStart = now.minus(WINDOW);
        Instant from = anchor.at().isBefore(windowStart) ? windowStart : anchor.at();
        Duration span = Duration.between(from, now);
        if (span.compareTo(MIN_SPAN) < 0) {
            return OptionalDouble.empty();
        }
        long latest = samples.get(samples.size() - 1).processed();
        return OptionalDouble.of((latest - anchor.processed()) / (span.toMillis() / 1000.0));
    }
}
