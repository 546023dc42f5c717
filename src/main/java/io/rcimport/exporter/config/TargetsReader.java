package io.rcimport.exporter.config;

import io.rcimport.exporter.config.Config.Auth;
import io.rcimport.exporter.config.Config.PasswordAuth;
import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TargetTls;
import io.rcimport.exporter.config.Config.TokenAuth;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A list of targets: names, URLs, credentials and TLS settings of the Rocket.Chat servers. The
 * same schema serves config.yaml's {@code targets} and the entries of a {@code targets_file}.
 */
final class TargetsReader {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /**
     * Label names the agent sets itself: {@code target}, and Prometheus' {@code job} and
     * {@code instance}; {@code alertname}, {@code severity} and {@code operation_id} are the
     * labels of the alerts it pushes, where a target's labels go too.
     */
    private static final Set<String> RESERVED_LABELS = Set.of("target", "job", "instance", "alertname", "severity", "operation_id");

    private TargetsReader() {
    }

    /** The list under {@code key} of {@code parent}, possibly empty; names are unique within it. */
    static List<Target> targets(YamlMap parent, String key) throws ConfigException {
        List<Target> targets = parent.list(key, TargetsReader::target);
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            String name = targets.get(i).name();
            Integer first = firstIndex.putIfAbsent(name, i);
            if (first != null) {
                throw new ConfigException(parent.path(key) + "[" + i + "].name",
                        "duplicate target name \"" + name + "\" (also " + key + "[" + first + "])");
            }
        }
        return targets;
    }

    /**
     * Names must also be unique across config.yaml and the targets file; a clash is reported on
     * the file's entry.
     *
     * @param fileKey    the key path of the file's list: {@code targets_file (fleet.yaml) targets}
     * @param configName how to call config.yaml in the message
     */
    static void requireDistinct(List<Target> inline, List<Target> fromFile, String fileKey, String configName)
            throws ConfigException {
        Map<String, Integer> inlineIndex = new HashMap<>();
        for (int i = 0; i < inline.size(); i++) {
            inlineIndex.put(inline.get(i).name(), i);
        }
        for (int i = 0; i < fromFile.size(); i++) {
            String name = fromFile.get(i).name();
            Integer first = inlineIndex.get(name);
            if (first != null) {
                throw new ConfigException(fileKey + "[" + i + "].name",
                        "duplicate target name \"" + name + "\" (also targets[" + first + "] in " + configName + ")");
            }
        }
    }

    private static Target target(YamlMap m) throws ConfigException {
        Optional<String> name = m.nonEmptyString("name");
        Optional<URI> url = m.url("url", UrlRule.BASE);
        Optional<String> userId = m.nonEmptyString("user_id");
        Optional<Secret> authToken = m.secret("auth_token");
        Optional<String> username = m.nonEmptyString("username");
        Optional<Secret> password = m.secret("password");
        YamlMap tls = m.section("tls");
        Optional<Path> caFile = tls.file("ca_file");
        Optional<Boolean> insecureSkipVerify = tls.bool("insecure_skip_verify");
        tls.finish();
        Map<String, String> labels = m.entries("labels", TargetsReader::label);
        m.finish();

        String validName = m.require("name", name);
        if (!NAME.matcher(validName).matches()) {
            throw m.error("name", "\"" + validName + "\" is not a valid target name (use letters, digits, _ and -)");
        }
        URI validUrl = m.require("url", url);
        Auth auth = auth(m, validName, userId, authToken, username, password);
        return new Target(validName, validUrl, auth, tls(m, tls, validUrl, caFile, insecureSkipVerify), labels);
    }

    /** One of {@code labels}: a Prometheus label name the agent does not set itself, a non-empty string value. */
    private static String label(YamlMap labels, String name) throws ConfigException {
        if (!LABEL_NAME.matcher(name).matches()) {
            throw labels.error(name, "not a valid label name (letters, digits and _, not starting with a digit)");
        }
        if (name.startsWith("__")) {
            throw labels.error(name, "label names starting with __ are reserved for Prometheus");
        }
        if (RESERVED_LABELS.contains(name)) {
            throw labels.error(name, "the agent sets this label itself; choose another name");
        }
        return labels.require(name, labels.nonEmptyString(name));
    }

    private static TargetTls tls(YamlMap target, YamlMap m, URI url, Optional<Path> caFile, Optional<Boolean> insecureSkipVerify)
            throws ConfigException {
        if (!url.getScheme().equalsIgnoreCase("https")) {
            String onlyHttps = "only applies to https:// URLs, and " + target.path("url") + " is " + url.getScheme() + "://";
            if (caFile.isPresent()) {
                throw m.error("ca_file", onlyHttps);
            }
            if (insecureSkipVerify.isPresent()) {
                throw m.error("insecure_skip_verify", onlyHttps);
            }
            return TargetTls.verify();
        }
        boolean insecure = insecureSkipVerify.orElse(false);
        if (insecure && caFile.isPresent()) {
            throw m.error("insecure_skip_verify", "cannot be combined with ca_file: without verification the CA is never "
                    + "used; keep one of them");
        }
        if (caFile.isPresent()) {
            PemFiles.requireCertificates(m.path("ca_file"), caFile.get());
        }
        return new TargetTls(caFile, insecure);
    }

    private static Auth auth(YamlMap m, String name, Optional<String> userId, Optional<Secret> authToken,
                             Optional<String> username, Optional<Secret> password) throws ConfigException {
        boolean token = userId.isPresent() || authToken.isPresent();
        boolean login = username.isPresent() || password.isPresent();
        if (token && login) {
            throw m.error("target \"" + name + "\" has both user_id/auth_token and username/password; keep one pair");
        }
        if (token) {
            return new TokenAuth(
                    userId.orElseThrow(() -> m.error("user_id", "required together with auth_token (the id of the token's user)")),
                    authToken.orElseThrow(() -> m.error("auth_token", "required together with user_id")));
        }
        if (login) {
            return new PasswordAuth(
                    username.orElseThrow(() -> m.error("username", "required together with password")),
                    password.orElseThrow(() -> m.error("password", "required together with username")));
        }
        throw m.error("target \"" + name + "\" has no credentials: set user_id and auth_token "
                + "(a personal access token), or username and password");
    }
}
