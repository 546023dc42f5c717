package io.rcimport.exporter.demo;

/**
 * The kinds of import the simulation runs. Slack operations look like an older server wrote
 * them (17-char Meteor ids, epoch-millisecond dates, the stray {@code messagesstatus: null});
 * the others like a new one (24-hex ids, ISO dates).
 */
enum Importer {
    SLACK("Slack", "slack", true, "slack-export.zip"),
    CSV("CSV", "csv", false, "csv-import.zip"),
    API("api", "api", false, "");

    final String type;
    final String key;
    final boolean legacyShape;
    final String fileName;

    Importer(String type, String key, boolean legacyShape, String fileName) {
        this.type = type;
        this.key = key;
        this.legacyShape = legacyShape;
        this.fileName = fileName;
    }

    /** File importers report {@code contentType} and {@code file} and go through the preparing steps. */
    boolean fileBased() {
        return !fileName.isEmpty();
    }
}
