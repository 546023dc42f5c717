package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.errorWithTarget;
import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.config.Config.Alerting;
import io.rcimport.exporter.config.Config.Webhook;
import io.rcimport.exporter.config.Config.WebhookFormat;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AlertingConfigTest {

    private static Alerting alerting(String yaml) throws ConfigException {
        return parse("alerting:\n" + yaml + ONE_TARGET).alerting();
    }

    private static void assertError(String alertingYaml, String key, String fragment) {
        ConfigException e = errorWithTarget("alerting:\n" + alertingYaml);
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
    }

    // ---- alertmanagers ----------------------------------------------------------------------

    @Test
    void alertmanager_urls_lose_their_trailing_slash_and_keep_a_path_prefix() throws ConfigException {
        Alerting alerting = alerting("  alertmanagers:\n    - url: http://am:9093/\n    - url: https://am.example.com/alertmanager/\n");

        assertEquals(URI.create("http://am:9093"), alerting.alertmanagers().get(0).url());
        assertEquals(URI.create("https://am.example.com/alertmanager"), alerting.alertmanagers().get(1).url());
    }

    @Test
    void an_alertmanager_needs_a_url() {
        assertError("  alertmanagers:\n    - {}\n", "alerting.alertmanagers[0].url", "required");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "localhost:9093 | expected an http or https URL, got scheme \"localhost\"",
            "am:9093 | expected an http or https URL",
            "//am:9093 | is not an absolute URL",
            "http://am:9093/?x=1 | must not have a query string",
    })
    void an_alertmanager_url_must_be_an_absolute_http_url(String url, String problem) {
        assertError("  alertmanagers:\n    - url: x\n    - url: " + url + "\n", "alerting.alertmanagers[0].url", "");
        assertError("  alertmanagers:\n    - url: http://ok:9093\n    - url: " + url + "\n", "alerting.alertmanagers[1].url", problem);
    }

    @Test
    void an_alertmanager_given_as_a_bare_string_is_an_error() {
        assertError("  alertmanagers:\n    - http://am:9093\n", "alerting.alertmanagers[0]", "expected a mapping of keys");
    }

    @Test
    void an_unknown_key_in_an_alertmanager_is_an_error() {
        assertError("  alertmanagers:\n    - urll: http://am:9093\n", "alerting.alertmanagers[0].urll", "did you mean \"url\"?");
    }

    // ---- webhooks ---------------------------------------------------------------------------

    @Test
    void a_webhook_defaults_to_the_json_format_and_no_headers() throws ConfigException {
        Webhook webhook = alerting("  webhooks:\n    - url: https://hooks.example.com/x\n").webhooks().get(0);

        assertEquals(new Webhook(URI.create("https://hooks.example.com/x"), WebhookFormat.JSON, Map.of()), webhook);
    }

    @Test
    void a_webhook_url_is_kept_exactly_including_its_query_and_trailing_slash() throws ConfigException {
        Webhook webhook = alerting("  webhooks:\n    - url: https://hooks.example.com/x/?token=abc\n").webhooks().get(0);

        assertEquals(URI.create("https://hooks.example.com/x/?token=abc"), webhook.url());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"json, JSON", "rocketchat, ROCKETCHAT"})
    void a_webhook_format_is_json_or_rocketchat(String text, WebhookFormat format) throws ConfigException {
        assertEquals(format, alerting("  webhooks:\n    - url: https://h.example.com\n      format: " + text + "\n").webhooks().get(0).format());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"slack", "JSON", "RocketChat", "''"})
    void any_other_webhook_format_is_an_error_listing_the_choices(String format) {
        assertError("  webhooks:\n    - url: https://h.example.com\n      format: " + format + "\n",
                "alerting.webhooks[0].format", "expected one of json, rocketchat, got \"");
    }

    @Test
    void max_per_minute_defaults_to_rocketchats_per_hook_limit_for_rocketchat_and_unlimited_for_json() throws ConfigException {
        Alerting alerting = alerting("  webhooks:\n    - url: https://chat.example.com/hooks/a/b\n      format: rocketchat\n"
                + "    - url: https://h.example.com\n");

        assertEquals(10, alerting.webhooks().get(0).maxPerMinute());
        assertEquals(0, alerting.webhooks().get(1).maxPerMinute(), "0 = unlimited");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"rocketchat, 5", "rocketchat, 0", "json, 30", "json, 0"})
    void max_per_minute_can_be_set_for_either_format(String format, int limit) throws ConfigException {
        Webhook webhook = alerting("  webhooks:\n    - url: https://h.example.com\n      format: " + format
                + "\n      max_per_minute: " + limit + "\n").webhooks().get(0);

        assertEquals(limit, webhook.maxPerMinute());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "-1 | expected an integer between 0 and 10000, got -1",
            "10001 | expected an integer between 0 and 10000, got 10001",
            "ten | expected an integer between 0 and 10000, got \"ten\"",
            "1.5 | expected an integer between 0 and 10000",
    })
    void a_bad_max_per_minute_is_an_error_naming_the_key(String value, String problem) {
        assertError("  webhooks:\n    - url: https://h.example.com\n    - url: https://h.example.com\n      max_per_minute: "
                + value + "\n", "alerting.webhooks[1].max_per_minute", problem);
    }

    @Test
    void a_misspelt_max_per_minute_is_an_error_suggesting_the_key() {
        assertError("  webhooks:\n    - url: https://h.example.com\n      max_per_minut: 5\n",
                "alerting.webhooks[0].max_per_minut", "did you mean \"max_per_minute\"?");
    }

    @Test
    void a_webhook_needs_a_url() {
        assertError("  webhooks:\n    - format: json\n", "alerting.webhooks[0].url", "required");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "hooks.example.com/x | is not an absolute URL",
            "ftp://hooks.example.com | got scheme \"ftp\"",
            "https://hooks.example.com/x#frag | must not have a fragment",
            "https://user:pw@hooks.example.com | must not contain credentials (user:password@); use headers instead",
    })
    void a_webhook_url_must_be_an_absolute_http_url(String url, String problem) {
        assertError("  webhooks:\n    - url: " + url + "\n", "alerting.webhooks[0].url", problem);
    }

    @Test
    void a_webhook_url_error_does_not_quote_the_url_which_may_hold_a_token() {
        ConfigException e = errorWithTarget("alerting:\n  webhooks:\n    - url: hooks.example.com/hooks/TOKENabc123\n");

        assertTrue(e.getMessage().contains("the URL is not an absolute URL"), e.getMessage());
        assertTrue(!e.getMessage().contains("TOKENabc123"), e.getMessage());
    }

    @Test
    void webhook_headers_are_stored_as_secrets() throws ConfigException {
        Webhook webhook = alerting("""
                  webhooks:
                    - url: https://h.example.com
                      headers:
                        Authorization: Bearer abc
                        X-Team: imports
                """).webhooks().get(0);

        assertEquals(Map.of("Authorization", Secret.of("Bearer abc"), "X-Team", Secret.of("imports")), webhook.headers());
        assertEquals("***", webhook.headers().get("Authorization").toString());
    }

    @Test
    void webhook_headers_must_be_a_mapping() {
        assertError("  webhooks:\n    - url: https://h.example.com\n      headers: [Authorization]\n",
                "alerting.webhooks[0].headers", "expected a mapping of keys, got a list");
    }

    @Test
    void a_webhook_header_value_must_be_a_non_empty_string() {
        assertError("  webhooks:\n    - url: https://h.example.com\n      headers:\n        X-A: {b: c}\n",
                "alerting.webhooks[0].headers.X-A", "expected a string, got a mapping");
        assertError("  webhooks:\n    - url: https://h.example.com\n      headers:\n        X-A: ''\n",
                "alerting.webhooks[0].headers.X-A", "must not be empty");
        assertError("  webhooks:\n    - url: https://h.example.com\n      headers:\n        X-A: \"a\\r\\nX-Injected: 1\"\n",
                "alerting.webhooks[0].headers.X-A", "must not contain line breaks");
    }

    @Test
    void a_webhook_header_name_must_be_a_valid_http_token() {
        assertError("  webhooks:\n    - url: https://h.example.com\n      headers:\n        'X Bad': v\n",
                "alerting.webhooks[0].headers.X Bad", "not a valid HTTP header name");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Host", "content-length", "Connection", "Expect", "Upgrade"})
    void headers_the_http_client_sets_itself_are_rejected(String name) {
        assertError("  webhooks:\n    - url: https://h.example.com\n      headers:\n        " + name + ": v\n",
                "alerting.webhooks[0].headers." + name, "set by the HTTP client");
    }

    @Test
    void header_names_differing_only_in_case_are_duplicates() {
        assertError("  webhooks:\n    - url: https://h.example.com\n      headers:\n        Authorization: a\n        authorization: b\n",
                "alerting.webhooks[0].headers.authorization", "duplicate header (also \"Authorization\"");
    }

    @Test
    void an_unknown_key_in_a_webhook_is_an_error_with_a_suggestion() {
        assertError("  webhooks:\n    - url: https://h.example.com\n      fromat: json\n",
                "alerting.webhooks[0].fromat", "did you mean \"format\"?");
    }

    @Test
    void a_webhook_error_names_its_index() {
        assertError("  webhooks:\n    - url: https://a.example.com\n    - url: https://b.example.com\n      format: xml\n",
                "alerting.webhooks[1].format", "expected one of json, rocketchat");
    }

    // ---- external_url and resend_interval ---------------------------------------------------

    @Test
    void external_url_is_optional() throws ConfigException {
        assertEquals(Optional.empty(), alerting("  resend_interval: 1m\n").externalUrl());
    }

    @Test
    void external_url_is_a_base_url_without_trailing_slash() throws ConfigException {
        assertEquals(Optional.of(URI.create("https://exporter.example.com/rc")),
                alerting("  external_url: https://exporter.example.com/rc/\n").externalUrl());
    }

    @Test
    void external_url_must_be_an_absolute_http_url() {
        assertError("  external_url: exporter.example.com\n", "alerting.external_url", "is not an absolute URL");
        assertError("  external_url: https://exporter.example.com?x=1\n", "alerting.external_url", "must not have a query string");
    }

    @Test
    void resend_interval_is_a_duration() {
        assertError("  resend_interval: 60\n", "alerting.resend_interval", "60 has no unit");
    }

    // ---- runbook_base_url -------------------------------------------------------------------

    @Test
    void runbook_base_url_defaults_to_the_readmes_runbook_anchors() throws ConfigException {
        Alerting alerting = alerting("  resend_interval: 1m\n");
        assertEquals(Alerting.DEFAULT_RUNBOOK_BASE_URL, alerting.runbookBaseUrl());
        assertEquals("https://github.com/rcimport/rocketchat-import-exporter/blob/main/README.md#rocketchatimportstalled",
                alerting.runbookUrl("RocketChatImportStalled"));
        assertEquals(Alerting.DEFAULT_RUNBOOK_BASE_URL, Alerting.defaults().runbookBaseUrl());
    }

    @Test
    void runbook_base_url_is_kept_as_written_with_its_fragment_query_and_slash() throws ConfigException {
        assertEquals("https://wiki.example.com/runbooks/rocketchatimportfailed",
                alerting("  runbook_base_url: https://wiki.example.com/runbooks/\n").runbookUrl("RocketChatImportFailed"));
        assertEquals("https://git.example.com/ops/README.md#rocketchatimportfailed",
                alerting("  runbook_base_url: 'https://git.example.com/ops/README.md#'\n").runbookUrl("RocketChatImportFailed"));
        assertEquals("https://wiki.example.com/view?page=rocketchatimportfailed",
                alerting("  runbook_base_url: https://wiki.example.com/view?page=\n").runbookUrl("RocketChatImportFailed"));
    }

    @Test
    void runbook_base_url_must_be_an_absolute_http_url() {
        assertError("  runbook_base_url: wiki.example.com/runbooks/\n", "alerting.runbook_base_url", "is not an absolute URL");
        assertError("  runbook_base_url: ftp://wiki.example.com/\n", "alerting.runbook_base_url", "expected an http or https URL");
        assertError("  runbook_base_url: ''\n", "alerting.runbook_base_url", "must not be empty");
        assertError("  runbook_base_url: https://user:pw@wiki.example.com/\n", "alerting.runbook_base_url", "must not contain credentials");
    }
}
