package io.rcimport.exporter.rocketchat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Parses an {@code import.status} body into an {@link ImportStatus}, tolerating everything real
 * servers send (dates as ISO strings or epoch milliseconds, missing {@code state}, unknown
 * statuses, unknown extra keys, missing counts) and rejecting what is not a status at all (not
 * JSON, truncated, a field of the wrong type).
 */
public final class ImportStatusParser {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ImportStatusParser() {
    }

    public static ImportStatus parse(byte[] body) throws InvalidResponseException {
        JsonNode root = tree(body);
        if (!root.isObject()) {
            throw new InvalidResponseException("body is JSON but not an object");
        }
        JsonNode success = root.get("success");
        if (success != null && !success.isNull()) {
            if (!success.isBoolean()) {
                throw new InvalidResponseException("\"success\" is not a boolean");
            }
            if (!success.booleanValue()) {
                throw new InvalidResponseException("\"success\" is false in a 200 answer");
            }
        }
        Optional<ImportOperation> operation = operation(root.get("operation"));
        JsonNode stateNode = root.get("state");
        ImportState state;
        if (stateNode == null || stateNode.isNull()) {
            // The server omits `state` for a status it does not know; derive gives UNKNOWN then.
            state = operation.map(op -> ImportState.derive(op.status(), op.valid())).orElse(ImportState.UNKNOWN);
        } else if (stateNode.isTextual()) {
            state = ImportState.fromLabel(stateNode.textValue()).orElse(ImportState.UNKNOWN);
        } else {
            throw new InvalidResponseException("\"state\" is not a string");
        }
        return new ImportStatus(state, operation);
    }

    /**
     * A {@code getLatestImportOperations} body: a bare JSON array of operations (no {@code success}
     * key), returned newest first by {@code _updatedAt}, at most {@code limit}.
     */
    public static List<ImportOperation> operations(byte[] body, int limit) throws InvalidResponseException {
        JsonNode root = tree(body);
        if (!root.isArray()) {
            throw new InvalidResponseException("body is JSON but not an array of operations");
        }
        List<ImportOperation> out = new ArrayList<>(root.size());
        for (JsonNode node : root) {
            if (!node.isObject()) {
                throw new InvalidResponseException("an entry of the operations array is not an object");
            }
            out.add(operation(node).orElseThrow());
        }
        out.sort(Comparator.comparing((ImportOperation op) -> op.updatedAt().orElse(Instant.EPOCH)).reversed());
        return List.copyOf(out.subList(0, Math.min(limit, out.size())));
    }

    /** An {@code /api/info} body: {@code {"version":"7.11","success":true}}; unknown when absent or not a version. */
    public static Optional<ServerVersion> serverVersion(byte[] body) throws InvalidResponseException {
        JsonNode version = tree(body).path("version");
        return version.isTextual() ? ServerVersion.parse(version.textValue()) : Optional.empty();
    }

    private static JsonNode tree(byte[] body) throws InvalidResponseException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidResponseException("body is not valid JSON (" + shortReason(e) + ")");
        } catch (IOException e) {
            throw new InvalidResponseException("body could not be read: " + e.getClass().getSimpleName());
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidResponseException("body is empty");
        }
        return root;
    }

    private static Optional<ImportOperation> operation(JsonNode node) throws InvalidResponseException {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new InvalidResponseException("\"operation\" is not an object");
        }
        return Optional.of(new ImportOperation(
                text(node, "_id"),
                text(node, "type"),
                text(node, "importerKey"),
                text(node, "status"),
                bool(node, "valid", true),
                date(node, "ts"),
                date(node, "_updatedAt"),
                counts(node.get("count"))));
    }

    private static ImportCounts counts(JsonNode node) throws InvalidResponseException {
        if (node == null || node.isNull()) {
            return ImportCounts.EMPTY;
        }
        if (!node.isObject()) {
            throw new InvalidResponseException("\"operation.count\" is not an object");
        }
        return new ImportCounts(
                count(node, "total"), count(node, "completed"), count(node, "error"),
                count(node, "users"), count(node, "channels"), count(node, "messages"), count(node, "contacts"));
    }

    private static long count(JsonNode counts, String field) throws InvalidResponseException {
        JsonNode n = counts.get(field);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isNumber() || (!n.isIntegralNumber() && n.doubleValue() != Math.rint(n.doubleValue()))) {
            throw new InvalidResponseException("\"operation.count." + field + "\" is not a whole number");
        }
        long v = n.asLong();
        if (v < 0) {
            throw new InvalidResponseException("\"operation.count." + field + "\" is negative");
        }
        return v;
    }

    private static String text(JsonNode op, String field) throws InvalidResponseException {
        JsonNode n = op.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw new InvalidResponseException("\"operation." + field + "\" is not a string");
        }
        return n.textValue();
    }

    private static boolean bool(JsonNode op, String field, boolean absent) throws InvalidResponseException {
        JsonNode n = op.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw new InvalidResponseException("\"operation." + field + "\" is not a boolean");
        }
        return n.booleanValue();
    }

    /** ISO-8601 string, epoch milliseconds, or EJSON {@code {"$date": ms}}. */
    private static Optional<Instant> date(JsonNode op, String field) throws InvalidResponseException {
        JsonNode n = op.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (n.isObject() && n.has("$date")) {
            n = n.get("$date");
        }
        if (n.isIntegralNumber()) {
            return Optional.of(Instant.ofEpochMilli(n.asLong()));
        }
        if (n.isTextual()) {
            try {
                return Optional.of(OffsetDateTime.parse(n.textValue()).toInstant());
            } catch (DateTimeParseException e) {
                throw new InvalidResponseException("\"operation." + field + "\" is not a date");
            }
        }
        throw new InvalidResponseException("\"operation." + field + "\" is not a date");
    }

    private static String shortReason(JsonProcessingException e) {
        String reason = e.getOriginalMessage();
        if (reason == null) {
            return e.getClass().getSimpleName();
        }
        // Jackson quotes the offending token; keep only the first line and a bounded length.
        int nl = reason.indexOf('\n');
        // The quoted token is the server's bytes: NUL, CR, escape sequences... never into a log line.
        String first = ResponseClassifier.sanitize(nl < 0 ? reason : reason.substring(0, nl));
        if (e.getLocation() != null) {
            long offset = e.getLocation().getByteOffset();
            if (offset >= 0) {
                first += " at byte " + offset;
            } else if (e.getLocation().getCharOffset() >= 0) {
                first += " at character " + e.getLocation().getCharOffset(); // UTF-16/32 input is decoded first
            }
        }
        return first.length() > 160 ? first.substring(0, 160) + "…" : first;
    }
}
