package io.rcimport.exporter.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.storage.SavedState.SavedAlert;
import io.rcimport.exporter.storage.SavedState.SavedImport;
import io.rcimport.exporter.storage.SavedState.SavedPayload;
import io.rcimport.exporter.storage.SavedState.SavedQueue;
import io.rcimport.exporter.storage.SavedState.SavedSample;
import io.rcimport.exporter.storage.SavedState.SavedTarget;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@link SavedState} to and from a Jackson tree, key by key, so that the file format is written
 * down here and not left to reflection. Keys are snake_case; instants are ISO-8601 strings
 * ({@code 2026-05-02T09:00:00.123Z}); an absent {@code Optional} is an omitted key (a
 * {@code null} is read as absent too); unknown keys are ignored. A payload body that is valid
 * UTF-8 is kept as {@code "text"}, any other as {@code "base64"}; either gives back the exact bytes.
 *
 * <p>Reading is strict: a missing key or a value of the wrong type is a {@link BadStateException}
 * naming its place ({@code targets[3].last_good.samples[0].at}), so that a damaged file is set
 * aside rather than half read.
 */
final class StateJson {
    static final String VERSION = "version";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StateJson() {
    }

    /** The file's content does not make a {@link SavedState}; the message says where and why. */
    static final class BadStateException extends Exception {
        BadStateException(String message) {
            super(message);
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    static ObjectNode toTree(SavedState state) {
        ObjectNode root = NODES.objectNode();
        root.put(VERSION, state.version());
        root.put("saved_at", state.savedAt().toString());
        ArrayNode targets = root.putArray("targets");
        for (SavedTarget target : state.targets()) {
            ObjectNode t = targets.addObject();
            t.put("name", target.name());
            target.lastGood().ifPresent(last -> lastGood(t.putObject("last_good"), last));
            ArrayNode alerts = t.putArray("alerts");
            target.alerts().forEach(alert -> alert(alerts.addObject(), alert));
        }
        ArrayNode deliveries = root.putArray("deliveries");
        for (SavedQueue queue : state.deliveries()) {
            ObjectNode q = deliveries.addObject();
            q.put("sink", queue.sink());
            q.put("endpoint", queue.endpoint());
            ArrayNode payloads = q.putArray("payloads");
            queue.payloads().forEach(payload -> payload(payloads.addObject(), payload));
        }
        return root;
    }

    private static void lastGood(ObjectNode o, SavedImport last) {
        o.put("fetched_at", last.fetchedAt().toString());
        o.put("raw_body", last.rawBody());
        o.put("state_since", last.stateSince().toString());
        last.heartbeatSince().ifPresent(at -> o.put("heartbeat_since", at.toString()));
        o.put("history_operation_id", last.historyOperationId());
        ArrayNode samples = o.putArray("samples");
        for (SavedSample sample : last.samples()) {
            samples.addObject().put("at", sample.at().toString()).put("processed", sample.processed());
        }
    }

    private static void alert(ObjectNode o, SavedAlert alert) {
        o.put("name", alert.name());
        o.put("severity", alert.severity());
        alert.operationId().ifPresent(id -> o.put("operation_id", id));
        o.put("summary", alert.summary());
        o.put("description", alert.description());
        o.put("starts_at", alert.startsAt().toString());
    }

    private static void payload(ObjectNode o, SavedPayload payload) {
        o.put("content_type", payload.contentType());
        Optional<String> text = utf8(payload.body());
        if (text.isPresent()) {
            o.put("text", text.get());
        } else {
            o.put("base64", Base64.getEncoder().encodeToString(payload.body()));
        }
    }

    /** The bytes as a string if they are valid UTF-8 (then it encodes back to exactly them). */
    static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    /** The {@code version} of a file's top-level object, if it has an integer one. */
    static Optional<Integer> version(JsonNode root) {
        JsonNode v = root.isObject() ? root.get(VERSION) : null;
        return v != null && v.isInt() ? Optional.of(v.intValue()) : Optional.empty();
    }

    static SavedState fromTree(JsonNode root) throws BadStateException {
        Reader top = Reader.of(root, "the file");
        return new SavedState(
                top.integer(VERSION),
                top.instant("saved_at"),
                top.list("targets", StateJson::target),
                top.list("deliveries", StateJson::queue));
    }

    private static SavedTarget target(Reader t) throws BadStateException {
        Optional<Reader> last = t.optionalObject("last_good");
        return new SavedTarget(t.text("name"),
                last.isPresent() ? Optional.of(lastGood(last.get())) : Optional.empty(),
                t.list("alerts", StateJson::alert));
    }

    private static SavedImport lastGood(Reader o) throws BadStateException {
        return new SavedImport(o.instant("fetched_at"), o.text("raw_body"), o.instant("state_since"),
                o.optionalInstant("heartbeat_since"), o.text("history_operation_id"),
                o.list("samples", s -> new SavedSample(s.instant("at"), s.longInteger("processed"))));
    }

    private static SavedAlert alert(Reader o) throws BadStateException {
        return new SavedAlert(o.text("name"), o.text("severity"), o.optionalText("operation_id"), o.text("summary"),
                o.text("description"), o.instant("starts_at"));
    }

    private static SavedQueue queue(Reader o) throws BadStateException {
        return new SavedQueue(o.text("sink"), o.text("endpoint"), o.list("payloads", StateJson::payload));
    }

    private static SavedPayload payload(Reader o) throws BadStateException {
        String contentType = o.text("content_type");
        Optional<String> text = o.optionalText("text");
        if (text.isPresent()) {
            return new SavedPayload(contentType, text.get().getBytes(StandardCharsets.UTF_8));
        }
        String base64 = o.text("base64");
        try {
            return new SavedPayload(contentType, Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            throw new BadStateException(o.place("base64") + ": not base64 (" + e.getMessage() + ")");
        }
    }

    @FunctionalInterface
    private interface ElementReader<T> {
        T read(Reader element) throws BadStateException;
    }

    /** One JSON object of the file, with its place for messages. */
    private record Reader(ObjectNode node, String place) {
        static Reader of(JsonNode node, String place) throws BadStateException {
            if (!(node instanceof ObjectNode object)) {
                throw new BadStateException(place + ": expected an object, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            return new Reader(object, place);
        }

        String place(String key) {
            return place.equals("the file") ? key : place + "." + key;
        }

        private JsonNode required(String key) throws BadStateException {
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) {
                throw new BadStateException(place(key) + ": missing");
            }
            return value;
        }

        private BadStateException wrong(String key, String expected, JsonNode value) {
            return new BadStateException(place(key) + ": expected " + expected + ", got " + value.getNodeType().name().toLowerCase(Locale.ROOT));
        }

        String text(String key) throws BadStateException {
            JsonNode value = required(key);
            if (!value.isTextual()) {
                throw wrong(key, "a string", value);
            }
            return value.textValue();
        }

        Optional<String> optionalText(String key) throws BadStateException {
            JsonNode value = node.get(key);
            return value == null || value.isNull() ? Optional.empty() : Optional.of(text(key));
        }

        int integer(String key) throws BadStateException {
            JsonNode value = required(key);
            if (!value.isInt()) {
                throw wrong(key, "an integer", value);
            }
            return value.intValue();
        }

        long longInteger(String key) throws BadStateException {
            JsonNode value = required(key);
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw wrong(key, "an integer", value);
            }
            return value.longValue();
        }

        Instant instant(String key) throws BadStateException {
            String text = text(key);
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new BadStateException(place(key) + ": not an ISO-8601 instant: \"" + abbreviate(text) + "\"");
            }
        }

        Optional<Instant> optionalInstant(String key) throws BadStateException {
            JsonNode value = node.get(key);
            return value == null || value.isNull() ? Optional.empty() : Optional.of(instant(key));
        }

        Optional<Reader> optionalObject(String key) throws BadStateException {
            JsonNode value = node.get(key);
            return value == null || value.isNull() ? Optional.empty() : Optional.of(Reader.of(value, place(key)));
        }

        <T> List<T> list(String key, ElementReader<T> reader) throws BadStateException {
            JsonNode value = required(key);
            if (!value.isArray()) {
                throw wrong(key, "a list", value);
            }
            List<T> out = new ArrayList<>(value.size());
            for (int i = 0; i < value.size(); i++) {
                out.add(reader.read(Reader.of(value.get(i), place(key) + "[" + i + "]")));
            }
            return out;
        }

        private static String abbreviate(String text) {
            return text.length() <= 40 ? text : text.substring(0, 40) + "...";
        }
    }
}
