package io.rcimport.exporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain-text credentials in a file others can read are found by key, never shown. */
class ExposedSecretsTest {
    private static final String LITERALS = """
            server:
              bearer_tokens: [ "${SCRAPE_TOKEN}", plain-bearer-VALUE ]
            targets:
              - name: a
                url: https://a.example.com
                user_id: u
                auth_token: plain-token-VALUE
              - name: b
                url: https://b.example.com
                username: admin
                password: "${RC_PASSWORD}"
              - {name: c, url: "https://c.example.com", username: admin, password: 'plain-pw-VALUE'}
              - name: d
                url: https://d.example.com
                username: admin
                password: ${RC_D_PASSWORD:-plain-default-VALUE}
            alerting:
              webhooks:
                - url: https://hooks.example.com/x
                  headers:
                    Authorization: Bearer plain-hook-VALUE
                    X-Env: ${HOOK_TOKEN}
            """;

    @Test
    void literal_credentials_are_found_by_key_and_references_are_not() {
        assertEquals(List.of("server.bearer_tokens[1]", "targets[0].auth_token", "targets[2].password", "targets[3].password",
                        "alerting.webhooks[0].headers.Authorization"),
                ExposedSecrets.literalSecretKeys(LITERALS, false));
    }

    @Test
    void a_file_with_references_only_holds_no_plain_text_credential() {
        String yaml = """
                targets:
                  - name: a
                    url: https://a.example.com
                    user_id: u
                    auth_token: ${RC_TOKEN}
                  - name: b
                    url: https://b.example.com
                    username: admin
                    password: ${RC_PASSWORD:-}
                """;
        assertEquals(List.of(), ExposedSecrets.literalSecretKeys(yaml, false));
    }

    @Test
    void a_json_targets_file_is_read_as_json() {
        assertEquals(List.of("targets[0].auth_token"), ExposedSecrets.literalSecretKeys(
                "{\"targets\":[{\"name\":\"a\",\"url\":\"https://a.example.com\",\"user_id\":\"u\",\"auth_token\":\"t0k\"}]}", true));
    }

    @Test
    void a_world_readable_file_with_a_literal_token_gets_a_warning_naming_file_and_keys_but_no_value(@TempDir Path dir) throws Exception {
        Path file = write(dir, "rw-r--r--", LITERALS);

        String warning = ExposedSecrets.warning(file).orElseThrow();

        assertTrue(warning.contains("file=" + file.toAbsolutePath().normalize()), warning);
        assertTrue(warning.contains("keys=server.bearer_tokens[1],targets[0].auth_token,"), warning);
        assertTrue(warning.contains("mode=rw-r--r--"), warning);
        assertFalse(warning.contains("VALUE"), "no value in the warning: " + warning);
    }

    @Test
    void readable_by_the_group_is_enough_for_a_warning(@TempDir Path dir) throws Exception {
        assertTrue(ExposedSecrets.warning(write(dir, "rw-r-----", LITERALS)).isPresent());
    }

    @Test
    void a_file_only_its_owner_can_read_gets_no_warning(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), ExposedSecrets.warning(write(dir, "rw-------", LITERALS)));
    }

    @Test
    void a_world_readable_file_without_literal_credentials_gets_no_warning(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), ExposedSecrets.warning(write(dir, "rw-r--r--", ConfigTesting.ONE_TARGET
                .replace("auth_token: t1", "auth_token: ${RC_AUTH_TOKEN}"))));
    }

    @Test
    void a_missing_or_unparsable_file_gets_no_warning_here(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), ExposedSecrets.warning(dir.resolve("missing.yaml")));
        assertEquals(Optional.empty(), ExposedSecrets.warning(write(dir, "rw-r--r--", "targets: [ {auth_token: x")));
    }

    private static Path write(Path dir, String mode, String text) throws Exception {
        Path file = dir.resolve("config-" + mode.replace('-', '_') + ".yaml");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}
