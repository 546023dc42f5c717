package io.rcimport.exporter.alert;

import java.util.Collection;

/** Where alerts and events go. Implementations never block the caller (the poller's thread). */
public interface AlertSink extends AutoCloseable {

    /** A state change, or an alert starting or ending. */
    default void onEvent(ImportEvent event) {
    }

    /** After each evaluation of one target: everything firing now (all targets), and what just resolved. */
    default void onAlerts(Collection<Alert> firing, Collection<Alert> resolved) {
    }

    @Override
    default void close() {
    }
}
