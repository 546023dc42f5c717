package io.rcimport.exporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One YAML mapping of the configuration, read key by key. Every read names the key's full path
 * ({@code targets[1].url}) in its errors, expands {@code ${VAR}} in the value, and records the key
 * as known; {@link #finish()} then rejects every key that was never asked for, suggesting the
 * nearest known one. A section reader therefore reads all its keys, calls {@code finish()}, and
 * only then checks rules that span several keys, so that a typo is reported as a typo.
 *
 * <p>The tree comes from {@link YamlTree}: scalars are text, {@code ""} stands for an empty value.
 * Relative file paths are resolved against {@code baseDir}, the directory of the file the mapping
 * was read from.
 */
final class YamlMap {
    /** Reads one element of a list of mappings. */
    @FunctionalInterface
    interface Reader<T> {
        T read(YamlMap element) throws ConfigException;
    }

    /** Reads the value of the key {@code name} of {@code map}. */
    @FunctionalInterface
    interface EntryReader<V> {
        V read(YamlMap map, String name) throws ConfigException;
    }

    private final ObjectNode node;
    private final String path;
    /** Between this mapping's path and a key: "." below the top, " " after a file's label. */
    private final String separator;
    private final EnvExpander env;
    private final Path baseDir;
    private final Set<String> known = new LinkedHashSet<>();

    private YamlMap(ObjectNode node, String path, String separator, EnvExpander env, Path baseDir) {
        this.node = node;
        this.path = path;
        this.separator = separator;
        this.env = env;
        this.baseDir = baseDir;
    }

    private YamlMap child(ObjectNode child, String childPath) {
        return new YamlMap(child, childPath, ".", env, baseDir);
    }

    /** The top of config.yaml: its keys' paths are the bare key names. */
    static YamlMap root(ObjectNode node, EnvExpander env, Path baseDir) {
        return new YamlMap(node, "", ".", env, baseDir);
    }

    /**
     * The top of another file, whose key paths start with {@code label}:
     * {@code targets_file (fleet.yaml) targets[3].name}.
     */
    static YamlMap fileRoot(ObjectNode node, String label, EnvExpander env, Path baseDir) {
        return new YamlMap(node, label, " ", env, baseDir);
    }

    /** The full path of one of this mapping's keys. */
    String path(String key) {
        return path.isEmpty() ? key : path + separator + key;
    }

    ConfigException error(String key, String problem) {
        return new ConfigException(path(key), problem);
    }

    /** An error about this mapping as a whole (a target, a webhook). */
    ConfigException error(String problem) {
        return new ConfigException(path, problem);
    }

    /** Whether the key is present, with any value. */
    boolean has(String key) {
        known.add(key);
        return node.has(key);
    }

    // ---- structure ------------------------------------------------------------------------

    /** A nested mapping; absent or empty means an empty mapping, so every default applies. */
    YamlMap section(String key) throws ConfigException {
        JsonNode value = value(key);
        if (value == null || isEmptyScalar(value)) {
            return child(JsonNodeFactory.instance.objectNode(), path(key));
        }
        if (!value.isObject()) {
            throw error(key, "expected a mapping of keys, got " + describe(value));
        }
        return child((ObjectNode) value, path(key));
    }

    /** A list of mappings, each read by {@code reader}; absent or empty means an empty list. */
    <T> List<T> list(String key, Reader<T> reader) throws ConfigException {
        JsonNode value = value(key);
        if (value == null || isEmptyScalar(value)) {
            return List.of();
        }
        if (!value.isArray()) {
            throw error(key, "expected a list, got " + describe(value));
        }
        List<T> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            String elementPath = path(key) + "[" + i + "]";
            JsonNode element = value.get(i);
            if (!element.isObject()) {
                throw new ConfigException(elementPath, "expected a mapping of keys, got " + describe(element));
            }
            out.add(reader.read(child((ObjectNode) element, elementPath)));
        }
        return List.copyOf(out);
    }

    /**
     * A list of credentials (scalars, each expanded, non-empty, without control characters);
     * absent or empty means an empty list. No value is quoted in an error.
     */
    List<Secret> secrets(String key) throws ConfigException {
        JsonNode value = value(key);
        if (value == null || isEmptyScalar(value)) {
            return List.of();
        }
        if (!value.isArray()) {
            throw error(key, "expected a list, got " + describe(value));
        }
        List<Secret> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            String elementPath = path(key) + "[" + i + "]";
            JsonNode element = value.get(i);
            if (!element.isTextual()) {
                throw new ConfigException(elementPath, "expected a string, got " + describe(element));
            }
            String text = env.expand(elementPath, element.textValue());
            requireUsable(elementPath, text);
            out.add(Secret.of(text));
        }
        return List.copyOf(out);
    }

    /** Fails on the first key that no read asked for. Call after reading every key. */
    void finish() throws ConfigException {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw error(name, "unknown key " + KeySuggestion.closest(name, known)
                        .map(k -> "(did you mean \"" + k + "\"?)")
                        .orElseGet(() -> known.isEmpty() ? "(nothing is allowed here)" : "(known keys: " + String.join(", ", known) + ")"));
            }
        }
    }

    // ---- scalars --------------------------------------------------------------------------

    /**
     * A non-empty string without control characters (it may be sent in an HTTP header), with
     * {@code ${VAR}} expanded. The value is quoted in none of its errors.
     */
    Optional<String> nonEmptyString(String key) throws ConfigException {
        Optional<String> value = scalar(key, "a string");
        if (value.isPresent()) {
            requireUsable(path(key), value.get());
        }
        return value;
    }

    String nonEmptyString(String key, String defaultValue) throws ConfigException {
        return nonEmptyString(key).orElse(defaultValue);
    }

    /** A credential: non-empty, without control characters, never quoted in an error. */
    Optional<Secret> secret(String key) throws ConfigException {
        return nonEmptyString(key).map(Secret::of);
    }

    int integer(String key, int defaultValue, int min, int max) throws ConfigException {
        Optional<String> text = scalar(key, "an integer");
        if (text.isEmpty()) {
            return defaultValue;
        }
        String expected = max == Integer.MAX_VALUE
                ? "expected an integer of at least " + min
                : "expected an integer between " + min + " and " + max;
        try {
            int value = Integer.parseInt(text.get());
            if (value < min || value > max) {
                throw error(key, expected + ", got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw error(key, expected + ", got \"" + text.get() + "\"");
        }
    }

    /** {@code true} or {@code false} (any case); nothing else, not even YAML 1.1's yes/no/on/off. */
    Optional<Boolean> bool(String key) throws ConfigException {
        Optional<String> text = scalar(key, "true or false");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String value = text.get().toLowerCase(Locale.ROOT);
        if (value.equals("true") || value.equals("false")) {
            return Optional.of(value.equals("true"));
        }
        throw error(key, "expected true or false, got \"" + text.get() + "\"");
    }

    boolean bool(String key, boolean defaultValue) throws ConfigException {
        return bool(key).orElse(defaultValue);
    }

    /**
     * A file name, expanded, resolved against the directory of the file being read, normalised.
     * Only the name is checked here; the reader checks the file ({@link ConfigFiles}, {@link PemFiles})
     * once every key is read, so that a typo is reported first.
     */
    Optional<Path> file(String key) throws ConfigException {
        Optional<String> text = nonEmptyString(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(baseDir.resolve(text.get()).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
            throw error(key, "not a valid file name (" + e.getReason() + ")");
        }
    }

    /** A Prometheus-style duration greater than zero. */
    Duration duration(String key, Duration defaultValue) throws ConfigException {
        Duration value = durationOrZero(key, defaultValue);
        if (value.isZero()) {
            throw error(key, "must be greater than 0");
        }
        return value;
    }

    /** A Prometheus-style duration, where {@code 0} means "never" (the caller says what it turns off). */
    Duration durationOrZero(String key, Duration defaultValue) throws ConfigException {
        Optional<String> text = scalar(key, "a duration");
        if (text.isEmpty()) {
            return defaultValue;
        }
        if (text.get().isEmpty()) {
            throw error(key, "missing value (use e.g. 500ms, 15s, 2m, 1h)");
        }
        return Durations.parse(path(key), text.get());
    }

    Optional<URI> url(String key, UrlRule rule) throws ConfigException {
        Optional<String> text = scalar(key, "a URL");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(rule.parse(path(key), text.get()));
    }

    /** A constant of {@code defaultValue}'s enum, spelled as its lowercase name ({@code json}). */
    <E extends Enum<E>> E choice(String key, E defaultValue) throws ConfigException {
        Optional<String> text = scalar(key, "a string");
        if (text.isEmpty()) {
            return defaultValue;
        }
        E[] choices = defaultValue.getDeclaringClass().getEnumConstants();
        for (E choice : choices) {
            if (choice.name().toLowerCase(Locale.ROOT).equals(text.get())) {
                return choice;
            }
        }
        String names = Arrays.stream(choices)
                .map(c -> c.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        throw error(key, "expected one of " + names + ", got \"" + text.get() + "\"");
    }

    /**
     * A mapping of names to values, each value read as {@code valueReader} reads a key of this
     * mapping; absent or empty means an empty map. The names are not expanded.
     */
    <V> Map<String, V> entries(String key, EntryReader<V> valueReader) throws ConfigException {
        YamlMap map = section(key);
        Map<String, V> out = new LinkedHashMap<>();
        for (Iterator<String> names = map.node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            out.put(name, valueReader.read(map, name));
        }
        return out;
    }

    /** A value that must be present; call after {@link #finish()} so a typo is reported first. */
    <T> T require(String key, Optional<T> value) throws ConfigException {
        return value.orElseThrow(() -> error(key, "required"));
    }

    // ---- helpers --------------------------------------------------------------------------

    private JsonNode value(String key) {
        known.add(key);
        return node.get(key);
    }

    private Optional<String> scalar(String key, String expected) throws ConfigException {
        JsonNode value = value(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw error(key, "expected " + expected + ", got " + describe(value));
        }
        return Optional.of(env.expand(path(key), value.textValue()));
    }

    private static void requireUsable(String fullPath, String value) throws ConfigException {
        if (value.isEmpty()) {
            throw new ConfigException(fullPath, "must not be empty");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException(fullPath, "must not contain line breaks or other control characters");
        }
    }

    private static boolean isEmptyScalar(JsonNode value) {
        return value.isTextual() && value.textValue().isEmpty();
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        return "a single value";
    }
}
