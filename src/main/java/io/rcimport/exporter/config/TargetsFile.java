package io.rcimport.exporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.config.Config.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@code targets_file}: YAML, or JSON when its name ends in {@code .json}, holding either a list
 * of targets or a mapping with the one key {@code targets}, each entry with the schema of
 * config.yaml's {@code targets} (including {@code ${VAR}} expansion). Relative {@code ca_file}s
 * resolve against the file's own directory. An empty file holds no targets.
 *
 * <p>Every error's key starts with {@code targets_file (NAME)}, e.g.
 * {@code targets_file (fleet.yaml) targets[3].url}; problems with the file as a whole (missing,
 * unreadable) have the key {@code targets_file}.
 */
final class TargetsFile {
    static final String KEY = "targets_file";

    private TargetsFile() {
    }

    /** The key path of the file's list of targets, as errors name it. */
    static String listKey(String displayName) {
        return label(displayName) + " targets";
    }

    /**
     * @param file        absolute path
     * @param displayName how messages call the file (as written in config.yaml, or as given)
     */
    static List<Target> read(Path file, String displayName, EnvExpander env) throws ConfigException {
        String label = label(displayName);
        String text = ConfigFiles.readText(KEY, "file", file, ConfigFiles.MAX_TARGETS_FILE_BYTES);
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        Optional<JsonNode> root;
        try {
            root = json ? YamlTree.readJson(text) : YamlTree.read(text);
        } catch (ConfigException e) {
            throw new ConfigException(label, e.getMessage());
        }
        if (root.isEmpty() || root.get().isTextual() && root.get().textValue().isEmpty()) {
            return List.of();
        }
        ObjectNode top;
        if (root.get().isArray()) {
            top = JsonNodeFactory.instance.objectNode();
            top.set("targets", root.get());
        } else if (root.get().isObject()) {
            top = (ObjectNode) root.get();
        } else {
            throw new ConfigException(label, "expected a list of targets, or a mapping with the key targets, got a single value");
        }
        YamlMap m = YamlMap.fileRoot(top, label, env, file.getParent());
        List<Target> targets = TargetsReader.targets(m, "targets");
        m.finish();
        return targets;
    }

    private static String label(String displayName) {
        return KEY + " (" + displayName + ")";
    }
}
