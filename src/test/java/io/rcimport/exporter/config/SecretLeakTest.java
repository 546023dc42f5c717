package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

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
                Arguments.of("secret as a top-level scalar", "Zq7-canary-S3CRET-value\n"));
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
}
