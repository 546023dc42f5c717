package io.rcimport.exporter.config;

import io.rcimport.exporter.config.Config.Auth;
import io.rcimport.exporter.config.Config.PasswordAuth;
import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TokenAuth;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The {@code targets} list: names, URLs and credentials of the Rocket.Chat servers. */
final class TargetsReader {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]+");

    private TargetsReader() {
    }

    /** The list under {@code key} of {@code parent}, possibly empty; names are unique. */
    static List<Target> targets(YamlMap parent, String key) throws ConfigException {
        List<Target> targets = parent.list(key, TargetsReader::target);
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            String name = targets.get(i).name();
            Integer first = firstIndex.putIfAbsent(name, i);
            if (first != null) {
                throw new ConfigException(parent.path(key) + "[" + i + "].name",
                        "duplicate target name \"" + name + "\" (also " + parent.path(key) + "[" + first + "])");
            }
        }
        return targets;
    }

    private static Target target(YamlMap m) throws ConfigException {
        Optional<String> name = m.nonEmptyString("name");
        Optional<URI> url = m.url("url", UrlRule.BASE);
        Optional<String> userId = m.nonEmptyString("user_id");
        Optional<Secret> authToken = m.secret("auth_token");
        Optional<String> username = m.nonEmptyString("username");
        Optional<Secret> password = m.secret("password");
        m.finish();

        String validName = m.require("name", name);
        if (!NAME.matcher(validName).matches()) {
            throw m.error("name", "\"" + validName + "\" is not a valid target name (use letters, digits, _ and -)");
        }
        return new Target(validName, m.require("url", url), auth(m, validName, userId, authToken, username, password));
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
