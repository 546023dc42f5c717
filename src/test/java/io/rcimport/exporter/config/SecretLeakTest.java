package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A distinctive secret, put wherever a secret can go, never shows in a message or summary. */
class SecretLeakTest {
    static final String CANARY = "Zq7-canary-S3CRET-value";
    private static final Map<String, String> ENV = Map.of("SECRET", CANARY);

    static Stream<Arguments> broken_configs_holding_the_secret() {
        return Stream.of(
                Arguments.of("secret in a token, error elsewhere", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            user_id: u
                            auth_token: Zq7-canary-S3CRET-value
                            username: x
                        """),
                Arguments.of("secret in a password with a line break", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: "Zq7-canary-S3CRET-value\\n"
                        """),
                Arguments.of("secret from the environment in a token with an error elsewhere", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            user_id: u
                            auth_token: ${SECRET}
                        poll:
                          interval: nope
                        """),
                Arguments.of("secret as a password that is also a bad env reference", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: ab${Zq7-canary-S3CRET-value}
                        """),
                Arguments.of("unterminated env reference inside a secret", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: ${Zq7-canary-S3CRET-value
                        """),
                Arguments.of("secret in a mapping where a string is expected", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: {Zq7-canary-S3CRET-value: 1}
                        """),
                Arguments.of("credentials in a target url", """
                        targets:
                          - name: main
                            url: https://admin:Zq7-canary-S3CRET-value@chat.example.com
                            user_id: u
                            auth_token: t
                        """),
                Arguments.of("credentials in a malformed target url", """
                        targets:
                          - name: main
                            url: "https://admin:Zq7-canary-S3CRET-value@chat example.com"
                            user_id: u
                            auth_token: t
                        """),
                Arguments.of("token in a webhook path with a fragment", """
                        alerting:
                          webhooks:
                            - url: https://chat.example.com/hooks/Zq7-canary-S3CRET-value#x
                        """ + ONE_TARGET),
                Arguments.of("token in a relative webhook url", """
                        alerting:
                          webhooks:
                            - url: chat.example.com/hooks/Zq7-canary-S3CRET-value
                        """ + ONE_TARGET),
                Arguments.of("token in a webhook url with a bad scheme", """
                        alerting:
                          webhooks:
                            - url: "ftp://chat.example.com/hooks/Zq7-canary-S3CRET-value"
                        """ + ONE_TARGET),
                Arguments.of("token in a webhook header with a line break", """
                        alerting:
                          webhooks:
                            - url: https://chat.example.com/hooks/x
                              headers:
                                Authorization: "Bearer Zq7-canary-S3CRET-value\\r\\n"
                        """ + ONE_TARGET),
                Arguments.of("unterminated quote around a secret", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: 'Zq7-canary-S3CRET-value
                        """),
                Arguments.of("bad escape in a double-quoted secret", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: "Zq7-canary-S3CRET-value\\q"
                        """),
                Arguments.of("secret next to a syntax error", """
                        targets:
                          - name: main
                            password: Zq7-canary-S3CRET-value: oops
                        """),
                Arguments.of("secret as a value YAML would read as a broken number", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: .inf
                          - password: Zq7-canary-S3CRET-value
                        """),
                Arguments.of("secret in a duplicate key", """
                        targets:
                          - name: main
                            url: https://chat.example.com
                            username: u
                            password: Zq7-canary-S3CRET-value
                            password: Zq7-canary-S3CRET-value
                        """),
                Arguments.of("secret as a top-level scalar", "Zq7-canary-S3CRET-value\n"),
                Arguments.of("plain password where a bcrypt hash belongs", """
                        server:
                          basic_auth_users:
                            alice: Zq7-canary-S3CRET-value
                        """ + ONE_TARGET),
                Arguments.of("bcrypt-looking secret with a bad cost", """
                        server:
                          basic_auth_users:
                            alice: $2y$99$Zq7-canary-S3CRET-value
                        """ + ONE_TARGET),
                Arguments.of("secret from the environment as a too short hash", """
                        server:
                          basic_auth_users:
                            alice: ${SECRET}
                        """ + ONE_TARGET),
                Arguments.of("bearer token with a space", """
                        server:
                          bearer_tokens: ["Zq7-canary-S3CRET-value and more"]
                        """ + ONE_TARGET),
                Arguments.of("bearer token with a line break", """
                        server:
                          bearer_tokens: ["Zq7-canary-S3CRET-value\\n"]
                        """ + ONE_TARGET),
                Arguments.of("bearer token given as a mapping", """
                        server:
                          bearer_tokens:
                            - {Zq7-canary-S3CRET-value: x}
                        """ + ONE_TARGET));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken_configs_holding_the_secret")
    void no_error_message_contains_the_secret(String description, String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, ENV));

        assertFalse(e.getMessage().contains(CANARY), e.getMessage());
        assertFalse(e.getMessage().contains("canary"), e.getMessage());
        assertFalse(String.valueOf(e.getCause()).contains("canary"), "a cause could be logged with its message");
    }

    @Test
    void neither_the_summary_nor_the_records_show_any_secret() throws ConfigException {
        Config config = ConfigLoader.parse("""
                targets:
                  - name: a
                    url: https://a.example.com
                    user_id: u
                    auth_token: ${SECRET}
                  - name: b
                    url: https://b.example.com
                    username: monitor
                    password: Zq7-canary-S3CRET-value
                alerting:
                  webhooks:
                    - url: https://chat.example.com/hooks/id/Zq7-canary-S3CRET-value
                      format: rocketchat
                    - url: https://hooks.example.com/in?token=Zq7-canary-S3CRET-value
                      headers:
                        Authorization: Bearer Zq7-canary-S3CRET-value
                        X-Api-Key: Zq7-canary-S3CRET-value
                """, ENV);

        String summary = ConfigSummary.describe(config);
        assertFalse(summary.contains("canary"), summary);
        assertFalse(config.targets().toString().contains("canary"), config.targets().toString());
        assertFalse(config.alerting().webhooks().get(1).headers().toString().contains("canary"));
    }

    @Test
    void neither_the_summary_nor_the_records_show_server_credentials() throws ConfigException {
        Config config = ConfigLoader.parse("""
                server:
                  basic_auth_users:
                    alice: $2y$10$Zq7canaryS3CRETvalue000000000000000000000000000000000
                  bearer_tokens: [Zq7-canary-S3CRET-value, "${SECRET}"]
                """ + ONE_TARGET, ENV);

        String summary = ConfigSummary.describe(config);
        assertFalse(summary.contains("canary"), summary);
        assertFalse(config.server().toString().contains("canary"), config.server().toString());
        assertFalse(config.toString().contains("canary"), config.toString());
    }

    @Test
    void a_pem_file_holding_a_secret_is_never_quoted(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"),
                "-----BEGIN OPENSSH PRIVATE KEY-----\nZq7-canary-S3CRET-value\n-----END OPENSSH PRIVATE KEY-----\n");
        Path junk = Files.writeString(dir.resolve("junk.pem"), "Zq7-canary-S3CRET-value\n");
        Path badCert = Files.writeString(dir.resolve("cert.pem"),
                "-----BEGIN CERTIFICATE-----\nZq7-canary-S3CRET-value\n-----END CERTIFICATE-----\n");

        for (String tls : List.of(
                "cert_file: " + ServerConfigTest.CERT + "\n    key_file: " + key,
                "cert_file: " + junk + "\n    key_file: " + ServerConfigTest.KEY,
                "cert_file: " + badCert + "\n    key_file: " + ServerConfigTest.KEY)) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.parse("server:\n  tls:\n    " + tls + "\n" + ONE_TARGET, ENV));
            assertFalse(e.getMessage().contains("canary"), e.getMessage());
        }
    }
}
