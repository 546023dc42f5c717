package io.rcimport.exporter.alert;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link DeliveryCounter} that remembers every outcome, in order. */
final class RecordingCounter implements DeliveryCounter {
    record Count(String sink, String outcome) {
    }

    final List<Count> counts = new CopyOnWriteArrayList<>();

    @Override
    public void count(String sink, String outcome) {
        counts.add(new Count(sink, outcome));
    }

    long of(String outcome) {
        return counts.stream().filter(c -> c.outcome().equals(outcome)).count();
    }

    long of(String sink, String outcome) {
        return counts.stream().filter(c -> c.sink().equals(sink) && c.outcome().equals(outcome)).count();
    }

    int total() {
        return counts.size();
    }
}
