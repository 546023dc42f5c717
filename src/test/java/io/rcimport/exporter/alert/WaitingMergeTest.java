package io.rcimport.exporter.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rcimport.exporter.rocketchat.ImportCounts;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** A digest never swallows a post kept across a restart (only its bytes are known). */
class WaitingMergeTest {
    private static final DeliveryPolicy.Merger JOIN = payloads -> new DeliveryQueue.Payload(
            String.join("+", payloads.stream().map(p -> new String(p.body(), StandardCharsets.UTF_8)).toList())
                    .getBytes(StandardCharsets.UTF_8), "text/plain",
            payloads.stream().flatMap(p -> p.events().stream()).toList());

    private static DeliveryQueue.Payload event(String name) {
        ImportEvent e = new ImportEvent(ImportEvent.Kind.STATE_CHANGE, name, "importing", "done", "importer_done", true,
                Optional.empty(), ImportCounts.EMPTY, OptionalDouble.empty(), Instant.EPOCH, Optional.empty());
        return new DeliveryQueue.Payload(name.getBytes(StandardCharsets.UTF_8), "text/plain", List.of(e));
    }

    private static DeliveryQueue.Payload kept(String name) {
        return new DeliveryQueue.Payload(name.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    private static List<String> bodies(WaitingMerge m) {
        return m.payloads().stream().map(p -> new String(p.body(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void kept_posts_stay_ahead_in_order_and_the_others_become_one() {
        WaitingMerge m = WaitingMerge.of(List.of(kept("k1"), kept("k2"), event("a"), event("b"), event("c")), 0, JOIN);
        assertEquals(List.of("k1", "k2", "a+b+c"), bodies(m));
        assertEquals(2, m.coalesced());
    }

    @Test
    void the_one_in_flight_is_left_alone() {
        WaitingMerge m = WaitingMerge.of(List.of(event("flying"), event("a"), event("b")), 1, JOIN);
        assertEquals(List.of("flying", "a+b"), bodies(m));
    }

    @Test
    void fewer_than_two_mergeable_posts_change_nothing() {
        WaitingMerge m = WaitingMerge.of(List.of(kept("k1"), event("a"), kept("k2")), 0, JOIN);
        assertEquals(List.of("k1", "a", "k2"), bodies(m));
        assertEquals(0, m.coalesced());
    }
}
