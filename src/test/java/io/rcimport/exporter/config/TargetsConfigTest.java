package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static io.rcimport.exporter.config.ConfigTesting.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.config.Config.PasswordAuth;
import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TokenAuth;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetsConfigTest {
    private static final String TOKEN = "    user_id: u1\n    auth_token: t1\n";

    private static void assertError(ConfigException e, String key, String fragment) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
    }

    private static String withUrl(String url) {
        return "targets:\n  - name: main\n    url: " + url + "\n" + TOKEN;
    }

    // ---- the list ---------------------------------------------------------------------------

    @Test
    void targets_are_required() {
        assertEquals("targets: at least one target is required", error("server:\n  port: 9467\n").getMessage());
    }

    @Test
    void an_empty_targets_list_is_an_error() {
        assertEquals("targets: at least one target is required", error("targets: []\n").getMessage());
        assertEquals("targets: at least one target is required", error("targets:\n").getMessage());
    }

    @Test
    void targets_must_be_a_list_of_mappings() {
        assertError(error("targets:\n  name: main\n"), "targets", "expected a list, got a mapping");
        assertError(error("targets:\n  - main\n"), "targets[0]", "expected a mapping of keys, got a single value");
    }

    @Test
    void several_targets_keep_their_order() throws ConfigException {
        Config config = parse("""
                targets:
                  - {name: a, url: "https://a.example.com", user_id: u, auth_token: t}
                  - {name: b, url: "https://b.example.com", username: x, password: p}
                """);

        assertEquals(List.of(
                new Target("a", URI.create("https://a.example.com"), new TokenAuth("u", Secret.of("t"))),
                new Target("b", URI.create("https://b.example.com"), new PasswordAuth("x", Secret.of("p")))), config.targets());
        assertEquals("b", config.target("b").orElseThrow().name());
    }

    // ---- name -------------------------------------------------------------------------------

    @Test
    void a_target_name_is_required() {
        assertError(error("targets:\n  - url: https://chat.example.com\n" + TOKEN), "targets[0].name", "required");
    }

    @Test
    void a_misspelt_name_key_is_reported_as_a_typo() {
        assertEquals("targets[0].nmae: unknown key (did you mean \"name\"?)",
                error("targets:\n  - nmae: main\n    url: https://chat.example.com\n" + TOKEN).getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"'main chat'", "main.chat", "chat/1", "'ä'", "'a:b'", "'{x}'"})
    void a_target_name_must_be_letters_digits_underscore_and_dash(String name) {
        assertError(error("targets:\n  - name: " + name + "\n    url: https://chat.example.com\n" + TOKEN),
                "targets[0].name", "is not a valid target name (use letters, digits, _ and -)");
    }

    @Test
    void an_empty_target_name_is_an_error() {
        assertError(error("targets:\n  - name: ''\n    url: https://chat.example.com\n" + TOKEN), "targets[0].name", "must not be empty");
    }

    @Test
    void a_target_name_may_use_every_allowed_character() throws ConfigException {
        assertEquals("Chat_01-eu", parse("targets:\n  - name: Chat_01-eu\n    url: https://chat.example.com\n" + TOKEN)
                .targets().get(0).name());
    }

    @Test
    void a_duplicate_target_name_names_both_entries() {
        ConfigException e = error("""
                targets:
                  - {name: main, url: "https://a.example.com", user_id: u, auth_token: t}
                  - {name: other, url: "https://b.example.com", user_id: u, auth_token: t}
                  - {name: main, url: "https://c.example.com", user_id: u, auth_token: t}
                """);

        assertEquals("targets[2].name: duplicate target name \"main\" (also targets[0])", e.getMessage());
    }

    // ---- url --------------------------------------------------------------------------------

    @Test
    void a_target_url_is_required() {
        assertError(error("targets:\n  - name: main\n" + TOKEN), "targets[0].url", "required");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "https://chat.example.com, https://chat.example.com",
            "https://chat.example.com/, https://chat.example.com",
            "https://chat.example.com//, https://chat.example.com",
            "http://localhost:3000, http://localhost:3000",
            "http://localhost:3000/, http://localhost:3000",
            "https://example.com/chat/, https://example.com/chat",
            "HTTPS://chat.example.com, HTTPS://chat.example.com",
            "http://10.0.0.5:3000, http://10.0.0.5:3000",
            "'http://[::1]:3000/', 'http://[::1]:3000'",
    })
    void a_target_url_is_stored_without_a_trailing_slash(String url, String expected) throws ConfigException {
        assertEquals(URI.create(expected), parse(withUrl(url)).targets().get(0).url());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "chat.example.com | is not an absolute URL",
            "/api | is not an absolute URL",
            "ftp://chat.example.com | expected an http or https URL, got scheme \"ftp\"",
            "https:chat | has no valid host name",
            "https:///path | has no valid host name",
            "https://chat.example.com/?a=b | must not have a query string",
            "https://chat.example.com/#x | must not have a fragment",
            "https://chat example.com | is not a valid URL",
            "https://chat.example.com:0 | has a port outside 1..65535",
            "https://chat.example.com:70000 | has a port outside 1..65535",
            "https://admin:pw@chat.example.com | must not contain credentials",
            "'' | must not be empty",
    })
    void a_target_url_must_be_an_absolute_http_url_with_a_host(String url, String problem) {
        assertError(error(withUrl(url)), "targets[0].url", problem);
    }

    @Test
    void a_relative_url_error_quotes_the_url() {
        assertEquals("targets[0].url: \"chat.example.com\" is not an absolute URL (start it with https:// or http://)",
                error(withUrl("chat.example.com")).getMessage());
    }

    // ---- auth -------------------------------------------------------------------------------

    @Test
    void token_auth_is_user_id_and_auth_token() throws ConfigException {
        assertEquals(new TokenAuth("u1", Secret.of("t1")), parse(target(TOKEN)).targets().get(0).auth());
    }

    @Test
    void password_auth_is_username_and_password() throws ConfigException {
        assertEquals(new PasswordAuth("monitor", Secret.of("pw")),
                parse(target("    username: monitor\n    password: pw\n")).targets().get(0).auth());
    }

    @Test
    void both_kinds_of_credentials_is_an_error_naming_the_target() {
        ConfigException e = error(target(TOKEN + "    username: monitor\n    password: pw\n"));

        assertEquals("targets[0]", e.key());
        assertTrue(e.getMessage().contains("target \"main\" has both user_id/auth_token and username/password"), e.getMessage());
    }

    @Test
    void half_of_each_kind_is_still_both_kinds() {
        assertEquals("targets[0]", error(target("    user_id: u1\n    password: pw\n")).key());
    }

    @Test
    void no_credentials_is_an_error_naming_the_target() {
        ConfigException e = error(target(""));

        assertEquals("targets[0]", e.key());
        assertTrue(e.getMessage().contains("target \"main\" has no credentials"), e.getMessage());
    }

    @Test
    void a_user_id_without_auth_token_names_the_missing_key() {
        assertError(error(target("    user_id: u1\n")), "targets[0].auth_token", "required together with user_id");
    }

    @Test
    void an_auth_token_without_user_id_names_the_missing_key() {
        assertError(error(target("    auth_token: t1\n")), "targets[0].user_id", "required together with auth_token");
    }

    @Test
    void a_username_without_password_names_the_missing_key() {
        assertError(error(target("    username: monitor\n")), "targets[0].password", "required together with username");
    }

    @Test
    void a_password_without_username_names_the_missing_key() {
        assertError(error(target("    password: pw\n")), "targets[0].username", "required together with password");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"user_id", "auth_token"})
    void empty_token_credentials_are_errors(String key) {
        String yaml = TOKEN.replace(key + ": " + (key.equals("user_id") ? "u1" : "t1"), key + ": ''");
        assertError(error(target(yaml)), "targets[0]." + key, "must not be empty");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"username", "password"})
    void empty_login_credentials_are_errors(String key) {
        String yaml = "    username: monitor\n    password: pw\n".replace(key + ": " + (key.equals("username") ? "monitor" : "pw"), key + ":");
        assertError(error(target(yaml)), "targets[0]." + key, "must not be empty");
    }

    @Test
    void a_token_with_a_line_break_is_an_error_because_it_goes_into_a_header() {
        assertError(error(target("    user_id: u1\n    auth_token: \"t1\\n\"\n")), "targets[0].auth_token",
                "must not contain line breaks");
    }

    @Test
    void an_unknown_key_in_a_target_is_an_error_with_its_index() {
        ConfigException e = error("""
                targets:
                  - {name: a, url: "https://a.example.com", user_id: u, auth_token: t}
                  - {name: b, url: "https://b.example.com", user_id: u, auth_tokn: t}
                """);

        assertEquals("targets[1].auth_tokn: unknown key (did you mean \"auth_token\"?)", e.getMessage());
    }

    @Test
    void a_url_error_in_the_second_target_names_its_index() {
        ConfigException e = error("""
                targets:
                  - {name: a, url: "https://a.example.com", user_id: u, auth_token: t}
                  - {name: b, url: "b.example.com", user_id: u, auth_token: t}
                """);

        assertEquals("targets[1].url", e.key());
    }
}
