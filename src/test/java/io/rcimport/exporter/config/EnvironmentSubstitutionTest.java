package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.config.Config.PasswordAuth;
import io.rcimport.exporter.config.Config.TokenAuth;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvironmentSubstitutionTest {
    private static final String TOKEN_TARGET = """
            targets:
              - name: main
                url: https://chat.example.com
                user_id: ${RC_USER_ID}
                auth_token: ${RC_AUTH_TOKEN}
            """;

    @Test
    void variables_are_replaced_from_the_environment() throws ConfigException {
        Config config = parse(TOKEN_TARGET, Map.of("RC_USER_ID", "uid", "RC_AUTH_TOKEN", "tok"));

        assertEquals(new TokenAuth("uid", Secret.of("tok")), config.targets().get(0).auth());
    }

    @Test
    void an_undefined_variable_names_the_key_and_the_variable() {
        ConfigException e = error(TOKEN_TARGET, Map.of("RC_USER_ID", "uid"));

        assertEquals("targets[0].auth_token: environment variable RC_AUTH_TOKEN is not set", e.getMessage());
        assertEquals("targets[0].auth_token", e.key());
    }

    @Test
    void a_default_is_used_when_the_variable_is_unset() throws ConfigException {
        Config config = parse("server:\n  port: ${PORT:-9100}\n  host: ${HOST:-127.0.0.1}\n" + ONE_TARGET, Map.of());

        assertEquals(new Config.Server("127.0.0.1", 9100), config.server());
    }

    @Test
    void a_default_is_used_when_the_variable_is_empty_as_in_the_shell() throws ConfigException {
        assertEquals(9100, parse("server:\n  port: ${PORT:-9100}\n" + ONE_TARGET, Map.of("PORT", "")).server().port());
    }

    @Test
    void a_set_variable_wins_over_its_default() throws ConfigException {
        assertEquals(9200, parse("server:\n  port: ${PORT:-9100}\n" + ONE_TARGET, Map.of("PORT", "9200")).server().port());
    }

    @Test
    void an_empty_default_is_allowed_and_then_checked_like_any_value() {
        ConfigException e = error(TOKEN_TARGET.replace("${RC_AUTH_TOKEN}", "${RC_AUTH_TOKEN:-}"), Map.of("RC_USER_ID", "uid"));

        assertEquals("targets[0].auth_token: must not be empty", e.getMessage());
    }

    @Test
    void variables_are_replaced_inside_a_longer_value() throws ConfigException {
        Config config = parse("""
                targets:
                  - name: main
                    url: https://${RC_HOST}:${RC_PORT:-443}/chat
                    username: monitor-${ENV}
                    password: pre-${PW}-post
                """, Map.of("RC_HOST", "chat.example.com", "ENV", "prod", "PW", "x"));

        assertEquals(URI.create("https://chat.example.com:443/chat"), config.targets().get(0).url());
        assertEquals(new PasswordAuth("monitor-prod", Secret.of("pre-x-post")), config.targets().get(0).auth());
    }

    @Test
    void variables_work_in_durations_and_list_entries() throws ConfigException {
        Config config = parse("""
                poll:
                  interval: ${INTERVAL}
                alerting:
                  alertmanagers:
                    - url: http://${AM_HOST}:9093
                  webhooks:
                    - url: https://hooks.example.com/${HOOK}
                      format: ${FORMAT:-rocketchat}
                      headers:
                        Authorization: Bearer ${HOOK_TOKEN}
                """ + ONE_TARGET, Map.of("INTERVAL", "30s", "AM_HOST", "am", "HOOK", "h1", "HOOK_TOKEN", "zzz"));

        assertEquals(Duration.ofSeconds(30), config.poll().interval());
        assertEquals(URI.create("http://am:9093"), config.alerting().alertmanagers().get(0).url());
        assertEquals(Config.WebhookFormat.ROCKETCHAT, config.alerting().webhooks().get(0).format());
        assertEquals(Secret.of("Bearer zzz"), config.alerting().webhooks().get(0).headers().get("Authorization"));
    }

    @Test
    void an_undefined_variable_in_a_nested_value_names_its_full_path() {
        ConfigException e = error("""
                alerting:
                  webhooks:
                    - url: https://hooks.example.com
                      headers:
                        Authorization: Bearer ${HOOK_TOKEN}
                """ + ONE_TARGET, Map.of());

        assertEquals("alerting.webhooks[0].headers.Authorization: environment variable HOOK_TOKEN is not set", e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "pa$$word | pa$word",
            "$${NOT_A_VAR} | ${NOT_A_VAR}",
            "a$$$$b | a$$b",
            "pa$word | pa$word",
            "price$ | price$",
            "$1abc | $1abc",
            "$$${X} | $x",
            "${X}${X} | xx",
            "${X:-a:-b} | x",
            "${UNSET:-a:-b} | a:-b",
            "${UNSET:-$} | $",
            "${X}} | x}",
    })
    void dollar_dollar_is_a_literal_dollar_and_a_lone_dollar_is_kept(String text, String expected) throws ConfigException {
        assertEquals(expected, new EnvExpander(Map.of("X", "x")).expand("k", text));
    }

    @Test
    void an_escaped_variable_in_a_password_is_kept_literally() throws ConfigException {
        Config config = parse("targets:\n  - name: main\n    url: https://c.example.com\n    username: u\n    password: \"$${NOT_EXPANDED}\"\n", Map.of());

        assertEquals(Secret.of("${NOT_EXPANDED}"), ((PasswordAuth) config.targets().get(0).auth()).password());
    }

    @Test
    void replaced_text_is_not_expanded_again() throws ConfigException {
        assertEquals("${Y}", new EnvExpander(Map.of("X", "${Y}", "Y", "no")).expand("k", "${X}"));
    }

    @Test
    void an_unterminated_reference_is_an_error_naming_the_key() {
        ConfigException e = assertThrows(ConfigException.class, () -> new EnvExpander(Map.of()).expand("targets[0].password", "ab${C"));

        assertEquals("targets[0].password", e.key());
        assertTrue(e.getMessage().contains("unterminated ${"), e.getMessage());
        assertTrue(e.getMessage().contains("$$ for a literal $"), e.getMessage());
    }

    @Test
    void an_invalid_variable_name_is_an_error_that_does_not_quote_it() {
        for (String text : new String[] {"${}", "${1X}", "${A-B}", "${ X}", "${:-d}"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> new EnvExpander(Map.of()).expand("k", text));
            assertTrue(e.getMessage().startsWith("k: invalid environment variable reference"), e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> new EnvExpander(Map.of()).expand("k", "x${se cret}"));
        assertTrue(!e.getMessage().contains("se cret"), e.getMessage());
    }

    @Test
    void keys_are_not_substituted() {
        ConfigException e = error("poll:\n  ${KEY}: 15s\n" + ONE_TARGET, Map.of("KEY", "interval"));

        assertEquals("poll.${KEY}", e.key());
    }

    @Test
    void a_substituted_value_is_validated_like_a_literal_one() {
        ConfigException e = error("server:\n  port: ${PORT}\n" + ONE_TARGET, Map.of("PORT", "http"));

        assertEquals("server.port: expected an integer between 0 and 65535, got \"http\"", e.getMessage());
    }
}
