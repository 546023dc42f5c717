package io.rcimport.exporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Credentials written as plain text into a file that other users may read: the agent warns at
 * startup, naming the file and the keys, never the values. A value counts as plain text unless
 * it is exactly a {@code ${VAR}} reference (or {@code ${VAR:-}} with an empty default): the
 * secret then lives in the environment, not in the file. Checked keys: {@code auth_token},
 * {@code password}, the items of {@code bearer_tokens}, and the values of webhook
 * {@code headers}. Reads the raw text, before {@code ${VAR}} expansion.
 */
public final class ExposedSecrets {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-)?}");
    private static final Set<String> SECRET_KEYS = Set.of("auth_token", "password");

    private ExposedSecrets() {
    }

    /**
     * The warning for {@code file}, if it holds plain-text credentials and group or others may
     * read it; empty otherwise, and where the file system has no POSIX permissions or the file
     * cannot be read or parsed (loading it reports that).
     */
    public static Optional<String> warning(Path file) {
        Set<PosixFilePermission> permissions;
        String text;
        try {
            permissions = Files.getPosixFilePermissions(file);
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
        if (!readableByOthers(permissions)) {
            return Optional.empty();
        }
        List<String> keys = literalSecretKeys(text, file.getFileName() != null && file.getFileName().toString().endsWith(".json"));
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("event=plaintext_secrets_readable file=" + file.toAbsolutePath().normalize()
                + " mode=" + PosixFilePermissions.toString(permissions) + " keys=" + String.join(",", keys)
                + " msg=\"the file holds credentials in plain text and other users can read it: "
                + "chmod 600 it, or put the credentials in the environment and write ${VAR} in the file\"");
    }

    static boolean readableByOthers(Set<PosixFilePermission> permissions) {
        return permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ);
    }

    /** The key paths (e.g. {@code targets[0].auth_token}) whose value is a plain-text credential. */
    static List<String> literalSecretKeys(String text, boolean json) {
        Optional<JsonNode> root;
        try {
            root = json ? YamlTree.readJson(text) : YamlTree.read(text);
        } catch (ConfigException e) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        root.ifPresent(r -> walk(r, "", false, keys));
        return keys;
    }

    private static void walk(JsonNode node, String path, boolean secret, List<String> keys) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String key = field.getKey();
                String child = path.isEmpty() ? key : path + "." + key;
                boolean childSecret = secret || SECRET_KEYS.contains(key) || key.equals("bearer_tokens") || key.equals("headers");
                walk(field.getValue(), child, childSecret, keys);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", secret, keys);
            }
        } else if (secret && isLiteral(node.asText(""))) {
            keys.add(path);
        }
    }

    private static boolean isLiteral(String value) {
        String v = value.strip();
        return !v.isEmpty() && !REFERENCE.matcher(v).matches();
    }
}
