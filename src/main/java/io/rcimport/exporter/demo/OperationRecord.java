package io.rcimport.exporter.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.rocketchat.ImportState;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Map;

/**
 * The import operation as stored in Rocket.Chat's database: what {@code import.status} shows.
 * Every write sets {@code _updatedAt}; nothing else does.
 */
final class OperationRecord {
    /** JavaScript's {@code Date.toISOString()}: always milliseconds, always {@code Z}. */
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final String id;
    private final Importer importer;
    private final Instant createdAt;
    private final String userId;
    private final Map<CountField, Long> count = new EnumMap<>(CountField.class);
    private String status = Statuses.NEW;
    private boolean valid = true;
    private Instant updatedAt;

    OperationRecord(String id, Importer importer, Instant createdAt, String userId) {
        this.id = id;
        this.importer = importer;
        this.createdAt = createdAt;
        this.userId = userId;
        this.updatedAt = createdAt;
    }

    String status() {
        return status;
    }

    boolean valid() {
        return valid;
    }

    long count(CountField field) {
        return count.getOrDefault(field, 0L);
    }

    /** Done, failed or invalidated: nothing will write to it again. */
    boolean isOver() {
        return !valid || Statuses.DONE.equals(status) || Statuses.FAILED.equals(status);
    }

    void writeStatus(String newStatus, Instant at) {
        status = newStatus;
        updatedAt = at;
    }

    /** Preparing: {@code count.total} and {@code count.<field>} grow together. */
    void addStaged(CountField field, long amount, Instant at) {
        count.merge(CountField.TOTAL, amount, Long::sum);
        count.merge(field, amount, Long::sum);
        updatedAt = at;
    }

    void writeProgress(long completed, long error, Instant at) {
        count.put(CountField.COMPLETED, completed);
        count.put(CountField.ERROR, error);
        updatedAt = at;
    }

    /** {@code import.clear}, a newer operation or a server restart. */
    void invalidate(Instant at) {
        valid = false;
        updatedAt = at;
    }

    /** Fills {@code body} like Rocket.Chat's {@code import.status}: state (when known), operation, success. */
    void writeStatusBody(ObjectNode body) {
        ImportState state = ImportState.derive(status, valid);
        if (state != ImportState.UNKNOWN) {
            body.put("state", state.label());
        }
        writeOperation(body.putObject("operation"));
        body.put("success", true);
    }

    /** Fills {@code op} like one operation of Rocket.Chat's {@code import.status} or {@code getLatestImportOperations}. */
    void writeOperation(ObjectNode op) {
        op.put("_id", id);
        op.put("type", importer.type);
        op.put("importerKey", importer.key);
        putDate(op, "ts", createdAt);
        op.put("status", status);
        op.put("valid", valid);
        op.put("user", userId);
        putDate(op, "_updatedAt", updatedAt);
        if (importer.fileBased()) {
            op.put("contentType", "application/zip");
            op.put("file", importer.fileName);
        }
        if (importer.legacyShape) {
            op.putNull("messagesstatus");
        }
        if (!count.isEmpty()) {
            ObjectNode c = op.putObject("count");
            count.forEach((field, value) -> c.put(field.key, value));
        }
    }

    private void putDate(ObjectNode node, String key, Instant at) {
        if (importer.legacyShape) {
            node.put(key, at.toEpochMilli());
        } else {
            node.put(key, ISO_MILLIS.format(at));
        }
    }
}
