package io.rcimport.exporter.alert;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers everything an {@link AlertEvaluator} hands to its sinks, in order. */
class RecordingSink implements AlertSink {
    record Delivery(List<Alert> firing, List<Alert> resolved) {
    }

    final List<ImportEvent> events = new CopyOnWriteArrayList<>();
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(ImportEvent event) {
        events.add(event);
    }

    @Override
    public void onAlerts(Collection<Alert> firing, Collection<Alert> resolved) {
        deliveries.add(new Delivery(List.copyOf(firing), List.copyOf(resolved)));
    }

    List<ImportEvent.Kind> kinds() {
        return events.stream().map(ImportEvent::kind).toList();
    }

    Delivery lastDelivery() {
        return deliveries.get(deliveries.size() - 1);
    }
}
