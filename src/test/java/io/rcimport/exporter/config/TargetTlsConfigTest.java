package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TargetTls;
import io.rcimport.exporter.config.Config.TokenAuth;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code targets[].tls}: {@code ca_file} and {@code insecure_skip_verify}. */
class TargetTlsConfigTest {
    private static final Path CA = ServerConfigTest.TLS.resolve("ca-cert.pem");

    private static String target(String url, String tls) {
        return "targets:\n  - name: main\n    url: " + url + "\n    user_id: u\n    auth_token: t\n" + tls;
    }

    private static void assertError(ConfigException e, String key, String... fragments) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
        }
    }

    @Test
    void by_default_a_target_verifies_certificates_with_the_jvm_trust_store() throws ConfigException {
        Target target = parse(target("https://chat.example.com", "")).targets().get(0);

        assertEquals(TargetTls.verify(), target.tls());
        assertEquals(new TargetTls(Optional.empty(), false), target.tls());
        assertEquals(new Target("main", URI.create("https://chat.example.com"), new TokenAuth("u", Secret.of("t"))), target);
    }

    @Test
    void a_ca_file_is_read_as_an_absolute_path() throws ConfigException {
        Target target = parse(target("https://chat.example.com", "    tls:\n      ca_file: src/test/resources/tls/ca-cert.pem\n"))
                .targets().get(0);

        assertEquals(new TargetTls(Optional.of(CA), false), target.tls());
        assertEquals(new Target("main", URI.create("https://chat.example.com"), new TokenAuth("u", Secret.of("t")),
                new TargetTls(Optional.of(CA), false)), target);
    }

    @Test
    void a_relative_ca_file_resolves_against_the_config_files_directory(@TempDir Path dir) throws Exception {
        Files.copy(CA, dir.resolve("ca.pem"));
        Path config = Files.writeString(dir.resolve("config.yaml"), target("https://chat.example.com", "    tls: {ca_file: ca.pem}\n"));

        assertEquals(Optional.of(dir.resolve("ca.pem")), ConfigLoader.load(config, Map.of()).targets().get(0).tls().caFile());
    }

    @Test
    void insecure_skip_verify_can_be_turned_on_for_https() throws ConfigException {
        assertEquals(new TargetTls(Optional.empty(), true),
                parse(target("https://chat.example.com", "    tls:\n      insecure_skip_verify: true\n")).targets().get(0).tls());
        assertEquals(TargetTls.verify(),
                parse(target("https://chat.example.com", "    tls:\n      insecure_skip_verify: false\n")).targets().get(0).tls());
    }

    @Test
    void tls_settings_on_an_http_target_are_an_error() {
        assertEquals("targets[0].tls.ca_file: only applies to https:// URLs, and targets[0].url is http://",
                error(target("http://chat.example.com", "    tls:\n      ca_file: " + CA + "\n")).getMessage());
        assertEquals("targets[0].tls.insecure_skip_verify: only applies to https:// URLs, and targets[0].url is http://",
                error(target("http://chat.example.com:3000", "    tls:\n      insecure_skip_verify: true\n")).getMessage());
        assertEquals("targets[0].tls.insecure_skip_verify: only applies to https:// URLs, and targets[0].url is http://",
                error(target("http://chat.example.com", "    tls:\n      insecure_skip_verify: false\n")).getMessage());
    }

    @Test
    void an_empty_tls_section_is_fine_on_http() throws ConfigException {
        assertEquals(TargetTls.verify(), parse(target("http://chat.example.com", "    tls: {}\n")).targets().get(0).tls());
    }

    @Test
    void ca_file_and_insecure_skip_verify_contradict_each_other() {
        assertError(error(target("https://chat.example.com", "    tls:\n      ca_file: " + CA + "\n      insecure_skip_verify: true\n")),
                "targets[0].tls.insecure_skip_verify", "cannot be combined with ca_file");
    }

    @Test
    void a_ca_file_must_exist_and_hold_certificates(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertEquals("targets[0].tls.ca_file: file " + missing + " does not exist",
                error(target("https://chat.example.com", "    tls:\n      ca_file: " + missing + "\n")).getMessage());

        Path key = ServerConfigTest.KEY;
        assertError(error(target("https://chat.example.com", "    tls:\n      ca_file: " + key + "\n")),
                "targets[0].tls.ca_file", "holds no certificate");

        Path text = Files.writeString(dir.resolve("ca.txt"), "not pem\n");
        assertError(error(target("https://chat.example.com", "    tls:\n      ca_file: " + text + "\n")),
                "targets[0].tls.ca_file", "is not a PEM file");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"yes", "1", "'on'"})
    void insecure_skip_verify_takes_only_true_or_false(String value) {
        assertError(error(target("https://chat.example.com", "    tls:\n      insecure_skip_verify: " + value + "\n")),
                "targets[0].tls.insecure_skip_verify", "expected true or false");
    }

    @Test
    void a_misspelt_tls_key_is_reported_as_a_typo() {
        assertEquals("targets[0].tls.insecure_skip_verfy: unknown key (did you mean \"insecure_skip_verify\"?)",
                error(target("https://chat.example.com", "    tls:\n      insecure_skip_verfy: true\n")).getMessage());
        assertError(error(target("https://chat.example.com", "    tls: true\n")), "targets[0].tls", "expected a mapping of keys");
    }

    @Test
    void the_second_target_is_named_in_its_errors() {
        ConfigException e = error("""
                targets:
                  - {name: a, url: "https://a.example.com", user_id: u, auth_token: t}
                  - name: b
                    url: http://b.example.com
                    user_id: u
                    auth_token: t
                    tls: {insecure_skip_verify: true}
                """);

        assertEquals("targets[1].tls.insecure_skip_verify: only applies to https:// URLs, and targets[1].url is http://", e.getMessage());
    }
}
