package io.rcimport.exporter.config;

import io.rcimport.exporter.config.Config.Alerting;
import io.rcimport.exporter.config.Config.Alertmanager;
import io.rcimport.exporter.config.Config.Webhook;
import io.rcimport.exporter.config.Config.WebhookFormat;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code alerting} section: Alertmanagers, webhooks, how often alerts are re-sent, and where their runbooks are. */
final class AlertingReader {
    /** RFC 9110 token characters. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers Java's HttpClient sets itself and refuses to take from the caller. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private AlertingReader() {
    }

    static Alerting alerting(YamlMap m) throws ConfigException {
        Alerting d = Alerting.defaults();
        Alerting alerting = new Alerting(
                m.list("alertmanagers", AlertingReader::alertmanager),
                m.duration("resend_interval", d.resendInterval()),
                m.list("webhooks", AlertingReader::webhook),
                m.url("external_url", UrlRule.BASE),
                m.url("runbook_base_url", UrlRule.PREFIX).map(URI::toString).orElse(Alerting.DEFAULT_RUNBOOK_BASE_URL));
        m.finish();
        return alerting;
    }

    private static Alertmanager alertmanager(YamlMap m) throws ConfigException {
        Optional<URI> url = m.url("url", UrlRule.BASE);
        m.finish();
        return new Alertmanager(m.require("url", url));
    }

    private static Webhook webhook(YamlMap m) throws ConfigException {
        Optional<URI> url = m.url("url", UrlRule.ENDPOINT);
        WebhookFormat format = m.choice("format", WebhookFormat.JSON);
        Map<String, Secret> headers = m.entries("headers", AlertingReader::header);
        int maxPerMinute = m.integer("max_per_minute", Webhook.defaultMaxPerMinute(format), 0, Webhook.MAX_PER_MINUTE_LIMIT);
        m.finish();
        requireDistinctHeaderNames(m, headers.keySet());
        return new Webhook(m.require("url", url), format, headers, maxPerMinute);
    }

    private static Secret header(YamlMap headers, String name) throws ConfigException {
        if (!HEADER_NAME.matcher(name).matches()) {
            throw headers.error(name, "not a valid HTTP header name");
        }
        if (RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw headers.error(name, "this header is set by the HTTP client and cannot be configured");
        }
        return headers.require(name, headers.secret(name));
    }

    /** Header names are case-insensitive: {@code Authorization} and {@code authorization} clash. */
    private static void requireDistinctHeaderNames(YamlMap webhook, Set<String> names) throws ConfigException {
        Map<String, String> seen = new HashMap<>();
        for (String name : names) {
            String first = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            if (first != null) {
                throw webhook.error("headers." + name, "duplicate header (also \"" + first + "\"; header names ignore case)");
            }
        }
    }
}
