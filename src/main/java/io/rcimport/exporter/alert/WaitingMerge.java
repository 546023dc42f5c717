package io.rcimport.exporter.alert;

import java.util.ArrayList;
import java.util.List;

/**
 * Which waiting payloads become one post (a digest): all of them from a position on, except
 * those without events — kept across a restart, only their bytes are known — which stay ahead
 * of the merged one, in order. Pure: the queue applies the result.
 *
 * @param payloads  the queue afterwards, in order
 * @param coalesced how many payloads went into the merged one beyond the first (counted as {@code coalesced})
 */
record WaitingMerge(List<DeliveryQueue.Payload> payloads, int coalesced) {

    /** The queue unchanged when fewer than two payloads from {@code from} on can be merged. */
    static WaitingMerge of(List<DeliveryQueue.Payload> queue, int from, DeliveryPolicy.Merger merger) {
        List<DeliveryQueue.Payload> tail = queue.subList(from, queue.size());
        List<DeliveryQueue.Payload> bytesOnly = tail.stream().filter(p -> p.events().isEmpty()).toList();
        List<DeliveryQueue.Payload> mergeable = tail.stream().filter(p -> !p.events().isEmpty()).toList();
        if (mergeable.size() < 2) {
            return new WaitingMerge(List.copyOf(queue), 0);
        }
        List<DeliveryQueue.Payload> out = new ArrayList<>(queue.subList(0, from));
        out.addAll(bytesOnly);
        out.add(merger.merge(mergeable));
        return new WaitingMerge(List.copyOf(out), mergeable.size() - 1);
    }
}
