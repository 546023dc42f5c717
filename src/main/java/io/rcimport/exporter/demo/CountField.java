package io.rcimport.exporter.demo;

/** The keys of {@code operation.count}, in the order the simulation writes them to JSON. */
enum CountField {
    TOTAL("total"),
    COMPLETED("completed"),
    ERROR("error"),
    USERS("users"),
    CHANNELS("channels"),
    MESSAGES("messages");

    final String key;

    CountField(String key) {
        this.key = key;
    }
}
