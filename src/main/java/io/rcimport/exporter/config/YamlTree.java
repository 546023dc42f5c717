package io.rcimport.exporter.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text into a {@link JsonNode} tree whose leaves are all {@link TextNode}s holding the
 * scalar exactly as written. YAML 1.1's implicit typing would otherwise turn a password
 * {@code 0123} into the number 83 and {@code yes} into {@code true}; here every scalar stays text
 * and {@link YamlMap} decides what it must be. {@code ~}, {@code null} and an empty value become
 * the empty string.
 *
 * <p>Syntax errors report the line and column but never the text around them, which may hold a
 * secret.
 *
 * <p>{@link #readJson} builds the same tree from JSON (for a {@code targets_file} ending in
 * {@code .json}): numbers and booleans become their text, {@code null} the empty string.
 */
final class YamlTree {
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {
    }

    /** The document's root, or empty for a document with no content (only comments, say). */
    static Optional<JsonNode> read(String yaml) throws ConfigException {
        return read(FACTORY, yaml);
    }

    /** The JSON value's root, or empty for a text with nothing but white space. */
    static Optional<JsonNode> readJson(String json) throws ConfigException {
        return read(JSON, json);
    }

    private static Optional<JsonNode> read(JsonFactory factory, String text) throws ConfigException {
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return Optional.empty();
            }
            JsonNode root = value(parser, first);
            if (parser.nextToken() != null) {
                int line = parser.currentTokenLocation().getLineNr();
                throw new ConfigException("", factory == JSON
                        ? "more than one JSON value (another starts at line " + line + "); put everything in one value"
                        : "more than one YAML document (another starts at line " + line
                                + " after a \"---\"); put everything in one document");
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            throw syntaxError(e, factory == JSON ? "JSON" : "YAML");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + (factory == JSON ? "JSON" : "YAML") + ": " + e.getClass().getSimpleName());
        }
    }

    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException, ConfigException {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            throw new ConfigException("", "YAML aliases (*name) are not supported, at "
                    + location(parser.currentTokenLocation()) + "; write the value out");
        }
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    object.set(name, value(parser, parser.nextToken()));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(value(parser, t));
                }
                return array;
            }
            case VALUE_NULL -> {
                return TextNode.valueOf("");
            }
            default -> {
                return TextNode.valueOf(parser.getText());
            }
        }
    }

    private static ConfigException syntaxError(JsonProcessingException e, String format) {
        if (e.getCause() instanceof MarkedYAMLException marked) {
            // SnakeYAML's context and problem are fixed phrases ("while scanning a quoted scalar",
            // "found unexpected end of stream"); its full message also quotes the source line.
            StringBuilder problem = new StringBuilder("YAML syntax error at ")
                    .append(location(marked.getProblemMark(), e.getLocation()))
                    .append(": ").append(marked.getProblem());
            if (marked.getContext() != null) {
                problem.append(" (").append(marked.getContext());
                if (marked.getContextMark() != null) {
                    problem.append(" started at ").append(location(marked.getContextMark(), e.getLocation()));
                }
                problem.append(')');
            }
            return new ConfigException("", problem.toString());
        }
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate field '")) {
            String name = message.substring("Duplicate field '".length(), message.length() - 1);
            return new ConfigException("", "duplicate key \"" + name + "\" at " + location(e.getLocation()));
        }
        // Jackson's own messages may quote a scalar ("Malformed numeric value '...'"): location only.
        return new ConfigException("", format + " syntax error at " + location(e.getLocation()));
    }

    private static String location(Mark mark, JsonLocation fallback) {
        if (mark == null) {
            return location(fallback);
        }
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String location(JsonLocation location) {
        if (location == null) {
            return "an unknown position";
        }
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
