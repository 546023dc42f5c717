package io.rcimport.exporter.alert;

/** Counts delivery outcomes as {@code rocketchat_import_alerts_sent_total{sink,outcome}}. */
@FunctionalInterface
public interface DeliveryCounter {
    void count(String sink, String outcome);
}
