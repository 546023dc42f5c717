package io.rcimport.exporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.config.Config.PasswordAuth;
import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TokenAuth;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code targets_file}: targets kept in a YAML or JSON file of their own, merged with {@code targets}. */
class TargetsFileTest {
    private static final String MAIN = """
            targets:
              - {name: main, url: "https://chat.example.com", user_id: u1, auth_token: t1}
            """;
    private static final Target MAIN_TARGET = new Target("main", URI.create("https://chat.example.com"), new TokenAuth("u1", Secret.of("t1")));

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private Config load(String configYaml) throws Exception {
        return ConfigLoader.load(write("config.yaml", configYaml), Map.of());
    }

    private ConfigException loadError(String configYaml) throws IOException {
        Path config = write("config.yaml", configYaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(config, Map.of()));
    }

    private static void assertError(ConfigException e, String key, String... fragments) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
        }
    }

    private static List<String> names(Config config) {
        return config.targets().stream().map(Target::name).toList();
    }

    // ---- reading and merging ------------------------------------------------------------------

    @Test
    void a_yaml_list_of_targets_is_merged_after_the_config_files_own_targets() throws Exception {
        write("fleet.yaml", """
                - name: eu
                  url: https://eu.example.com
                  username: monitor
                  password: pw
                - {name: us, url: "https://us.example.com", user_id: u2, auth_token: t2}
                """);

        Config config = load("targets_file: fleet.yaml\n" + MAIN);

        assertEquals(List.of("main", "eu", "us"), names(config));
        assertEquals(MAIN_TARGET, config.targets().get(0));
        assertEquals(new Target("eu", URI.create("https://eu.example.com"), new PasswordAuth("monitor", Secret.of("pw"))), config.targets().get(1));
        assertEquals(Optional.of(dir.resolve("fleet.yaml")), config.targetsFile());
        assertTrue(config.targetsFile().orElseThrow().isAbsolute());
    }

    @Test
    void a_mapping_with_targets_works_as_well_and_targets_in_config_yaml_may_be_absent() throws Exception {
        write("fleet.yaml", "targets:\n  - {name: eu, url: \"https://eu.example.com\", user_id: u, auth_token: t}\n");

        Config config = load("targets_file: fleet.yaml\n");

        assertEquals(List.of("eu"), names(config));
    }

    @Test
    void targets_in_config_yaml_may_be_an_empty_list_with_a_targets_file() throws Exception {
        write("fleet.yaml", "- {name: eu, url: \"https://eu.example.com\", user_id: u, auth_token: t}\n");

        assertEquals(List.of("eu"), names(load("targets_file: fleet.yaml\ntargets: []\n")));
    }

    @Test
    void a_json_file_is_read_as_json_in_either_form() throws Exception {
        write("fleet.json", """
                [{"name": "eu", "url": "https://eu.example.com", "user_id": "u", "auth_token": "t",
                  "tls": {"insecure_skip_verify": true}}]
                """);
        write("wrapped.json", """
                {"targets": [{"name": "us", "url": "https://us.example.com", "username": "m", "password": 1234}]}
                """);

        Config list = load("targets_file: fleet.json\n");
        Config wrapped = load("targets_file: wrapped.json\n");

        assertEquals(List.of("eu"), names(list));
        assertTrue(list.targets().get(0).tls().insecureSkipVerify());
        assertEquals(new PasswordAuth("m", Secret.of("1234")), wrapped.targets().get(0).auth());
    }

    @Test
    void variables_are_expanded_in_the_targets_file() throws Exception {
        write("fleet.yaml", "- {name: eu, url: \"https://${EU_HOST}\", user_id: u, auth_token: \"${EU_TOKEN}\"}\n");
        Path config = write("config.yaml", "targets_file: ${FLEET:-fleet.yaml}\n");

        Config loaded = ConfigLoader.load(config, Map.of("EU_HOST", "eu.example.com", "EU_TOKEN", "tok"));

        assertEquals(new Target("eu", URI.create("https://eu.example.com"), new TokenAuth("u", Secret.of("tok"))), loaded.targets().get(0));
        assertEquals("targets_file (fleet.yaml) targets[0].auth_token: environment variable EU_TOKEN is not set",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(config, Map.of("EU_HOST", "x"))).getMessage());
    }

    @Test
    void a_file_in_a_subdirectory_is_named_relative_to_the_config_and_its_ca_files_are_relative_to_itself() throws Exception {
        Files.createDirectories(dir.resolve("fleet"));
        Files.copy(ServerConfigTest.TLS.resolve("ca-cert.pem"), dir.resolve("fleet/ca.pem"));
        write("fleet/targets.yaml", """
                - {name: eu, url: "https://eu.example.com", user_id: u, auth_token: t, tls: {ca_file: ca.pem}}
                - {name: eu, url: "https://eu2.example.com", user_id: u, auth_token: t}
                """);

        ConfigException e = loadError("targets_file: fleet/targets.yaml\n");
        assertEquals("targets_file (fleet/targets.yaml) targets[1].name: duplicate target name \"eu\" (also targets[0])", e.getMessage());

        write("fleet/targets.yaml", "- {name: eu, url: \"https://eu.example.com\", user_id: u, auth_token: t, tls: {ca_file: ca.pem}}\n");
        assertEquals(Optional.of(dir.resolve("fleet/ca.pem")), load("targets_file: fleet/targets.yaml\n").targets().get(0).tls().caFile());
    }

    @Test
    void an_absolute_path_outside_the_config_directory_is_named_in_full(@TempDir Path elsewhere) throws Exception {
        Path fleet = Files.writeString(elsewhere.resolve("fleet.yaml"), "- {name: eu, url: \"https://eu.example.com\"}\n");

        assertEquals("targets_file (" + fleet + ") targets[0]: target \"eu\" has no credentials: set user_id and auth_token "
                + "(a personal access token), or username and password", loadError("targets_file: " + fleet + "\n").getMessage());
    }

    // ---- names across both places -------------------------------------------------------------

    @Test
    void a_name_in_both_places_is_an_error_on_the_files_entry_naming_both() throws Exception {
        write("fleet.yaml", """
                targets:
                  - {name: eu, url: "https://eu.example.com", user_id: u, auth_token: t}
                  - {name: main, url: "https://other.example.com", user_id: u, auth_token: t}
                """);

        assertEquals("targets_file (fleet.yaml) targets[1].name: duplicate target name \"main\" (also targets[0] in config.yaml)",
                loadError("targets_file: fleet.yaml\n" + MAIN).getMessage());
    }

    @Test
    void a_config_given_as_text_calls_itself_the_config_file() throws Exception {
        Path fleet = write("fleet.yaml", "- {name: main, url: \"https://other.example.com\", user_id: u, auth_token: t}\n");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("targets_file: " + fleet + "\n" + MAIN, Map.of()));

        assertEquals("targets_file (" + fleet + ") targets[0].name: duplicate target name \"main\" (also targets[0] in the config file)",
                e.getMessage());
    }

    // ---- the merged set must not be empty -----------------------------------------------------

    @Test
    void an_empty_targets_file_and_no_targets_is_an_error() throws Exception {
        for (String empty : List.of("", "# nothing yet\n", "[]\n", "targets: []\n", "targets:\n")) {
            write("fleet.yaml", empty);
            assertEquals("targets: at least one target is required; targets is empty and targets_file (fleet.yaml) holds none",
                    loadError("targets_file: fleet.yaml\n").getMessage(), empty);
        }
    }

    @Test
    void an_empty_targets_file_is_fine_next_to_targets_in_config_yaml() throws Exception {
        write("fleet.yaml", "[]\n");

        assertEquals(List.of("main"), names(load("targets_file: fleet.yaml\n" + MAIN)));
    }

    // ---- errors in and about the file ---------------------------------------------------------

    @Test
    void a_missing_targets_file_is_named_with_its_resolved_path() throws Exception {
        assertEquals("targets_file: file " + dir.resolve("nope.yaml") + " does not exist", loadError("targets_file: nope.yaml\n" + MAIN).getMessage());
        assertEquals("targets_file: file " + dir + " is a directory", loadError("targets_file: .\n" + MAIN).getMessage());
        assertError(loadError("targets_file: ''\n" + MAIN), "targets_file", "must not be empty");
        assertError(loadError("targets_file: [a.yaml]\n" + MAIN), "targets_file", "expected a string, got a list");
    }

    @Test
    void errors_inside_the_file_are_prefixed_with_its_name() throws Exception {
        write("fleet.yaml", "- {name: eu, url: \"eu.example.com\", user_id: u, auth_token: t}\n");
        assertError(loadError("targets_file: fleet.yaml\n"), "targets_file (fleet.yaml) targets[0].url", "not an absolute URL");

        write("fleet.yaml", "tragets:\n  - {name: eu}\n");
        assertEquals("targets_file (fleet.yaml) tragets: unknown key (did you mean \"targets\"?)", loadError("targets_file: fleet.yaml\n").getMessage());

        write("fleet.yaml", "- eu\n");
        assertError(loadError("targets_file: fleet.yaml\n"), "targets_file (fleet.yaml) targets[0]", "expected a mapping of keys, got a single value");

        write("fleet.yaml", "- {name: eu, urll: x}\n");
        assertEquals("targets_file (fleet.yaml) targets[0].urll: unknown key (did you mean \"url\"?)", loadError("targets_file: fleet.yaml\n").getMessage());
    }

    @Test
    void a_file_that_is_neither_a_list_nor_a_mapping_is_an_error() throws Exception {
        write("fleet.yaml", "eu.example.com\n");

        assertEquals("targets_file (fleet.yaml): expected a list of targets, or a mapping with the key targets, got a single value",
                loadError("targets_file: fleet.yaml\n").getMessage());
    }

    @Test
    void syntax_errors_name_the_file_and_the_line() throws Exception {
        write("fleet.yaml", "- name: eu\n  url: [https://eu.example.com\n");
        ConfigException yaml = loadError("targets_file: fleet.yaml\n");
        assertEquals("targets_file (fleet.yaml)", yaml.key());
        assertTrue(yaml.getMessage().startsWith("targets_file (fleet.yaml): YAML syntax error at line "), yaml.getMessage());

        write("fleet.json", "[{\"name\": \"eu\",\n \"url\": }]\n");
        ConfigException json = loadError("targets_file: fleet.json\n");
        assertTrue(json.getMessage().startsWith("targets_file (fleet.json): JSON syntax error at line 2"), json.getMessage());

        write("fleet.json", "[{\"name\": \"eu\", \"name\": \"us\"}]\n");
        assertTrue(loadError("targets_file: fleet.json\n").getMessage().startsWith("targets_file (fleet.json): duplicate key \"name\" at line 1"));

        write("fleet.json", "[]\n[]\n");
        assertTrue(loadError("targets_file: fleet.json\n").getMessage().contains("more than one JSON value"));
    }

    @Test
    void a_json_file_with_tabs_is_fine_although_yaml_would_reject_them() throws Exception {
        write("fleet.json", "[\n\t{\"name\": \"eu\", \"url\": \"https://eu.example.com\", \"user_id\": \"u\", \"auth_token\": \"t\"}\n]\n");

        assertEquals(List.of("eu"), names(load("targets_file: fleet.json\n")));
    }

    // ---- loadTargetsFile, for a watcher -------------------------------------------------------

    @Test
    void load_targets_file_reads_the_file_alone() throws Exception {
        Files.copy(ServerConfigTest.TLS.resolve("ca-cert.pem"), dir.resolve("ca.pem"));
        Path fleet = write("fleet.yaml", """
                - {name: eu, url: "https://eu.example.com", user_id: u, auth_token: "${TOKEN}", tls: {ca_file: ca.pem}}
                - {name: main, url: "https://chat.example.com", user_id: u1, auth_token: t1}
                """);

        List<Target> targets = ConfigLoader.loadTargetsFile(fleet, Map.of("TOKEN", "tok"));

        assertEquals(List.of("eu", "main"), targets.stream().map(Target::name).toList());
        assertEquals(Optional.of(dir.resolve("ca.pem")), targets.get(0).tls().caFile());
        assertEquals(MAIN_TARGET, targets.get(1));
    }

    @Test
    void load_targets_file_names_the_file_as_given_and_allows_an_empty_file() throws Exception {
        Path fleet = write("fleet.yaml", "- {name: 'bad name', url: \"https://eu.example.com\", user_id: u, auth_token: t}\n");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadTargetsFile(fleet, Map.of()));
        assertEquals("targets_file (" + fleet + ") targets[0].name", e.key());

        write("fleet.yaml", "");
        assertEquals(List.of(), ConfigLoader.loadTargetsFile(fleet, Map.of()));
        assertEquals("targets_file: file " + dir.resolve("gone.yaml") + " does not exist",
                assertThrows(ConfigException.class, () -> ConfigLoader.loadTargetsFile(dir.resolve("gone.yaml"), Map.of())).getMessage());
    }

    @Test
    void without_a_targets_file_the_config_says_so() throws Exception {
        Config config = load(MAIN);

        assertEquals(Optional.empty(), config.targetsFile());
    }
}
