package io.rcimport.exporter.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

/** Shared snippets and shortcuts for the config tests. */
final class ConfigTesting {
    /** A complete, valid target list to append to a section under test. */
    static final String ONE_TARGET = """
            targets:
              - name: main
                url: https://chat.example.com
                user_id: u1
                auth_token: t1
            """;

    private ConfigTesting() {
    }

    static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, Map.of());
    }

    static Config parse(String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(yaml, env);
    }

    static ConfigException error(String yaml) {
        return error(yaml, Map.of());
    }

    static ConfigException error(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, env));
    }

    /** {@code yaml} followed by {@link #ONE_TARGET}. */
    static ConfigException errorWithTarget(String yaml) {
        return error(yaml + ONE_TARGET);
    }

    /** A one-target config whose target has {@code lines} (each already indented by 4) after name and url. */
    static String target(String lines) {
        return """
                targets:
                  - name: main
                    url: https://chat.example.com
                """ + lines;
    }
}
