package io.rcimport.exporter.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What an http(s) URL in the configuration may look like. Every URL must be absolute, http or
 * https, with a host and without credentials ({@code user:pass@}, which Java's HTTP client would
 * silently not send).
 */
enum UrlRule {
    /**
     * A base the agent appends paths to (a Rocket.Chat server, an Alertmanager, the external URL):
     * no query, no fragment; trailing slashes are stripped.
     */
    BASE(false, false, false),
    /**
     * An endpoint posted to exactly as written (a webhook): a query is allowed. Such URLs often
     * carry a token in the path or query, so errors never quote them.
     */
    ENDPOINT(true, true, false),
    /**
     * The start of other URLs, kept exactly as written (a runbook base such as
     * {@code https://github.com/o/r/blob/main/README.md#}, to which an anchor is appended): a
     * query and a fragment, even an empty one, are allowed; nothing is stripped.
     */
    PREFIX(true, false, true);

    private final boolean queryAllowed;
    private final boolean sensitive;
    private final boolean fragmentAllowed;

    UrlRule(boolean queryAllowed, boolean sensitive, boolean fragmentAllowed) {
        this.queryAllowed = queryAllowed;
        this.sensitive = sensitive;
        this.fragmentAllowed = fragmentAllowed;
    }

    URI parse(String key, String text) throws ConfigException {
        // Never quote a URL that may carry credentials.
        String quoted = sensitive || text.contains("@") ? "the URL" : "\"" + text + "\"";
        if (text.isEmpty()) {
            throw new ConfigException(key, "must not be empty (expected an http or https URL)");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, quoted + " is not a valid URL (" + e.getReason()
                    + " at position " + (e.getIndex() + 1) + ")");
        }
        if (!uri.isAbsolute()) {
            throw new ConfigException(key, quoted + " is not an absolute URL (start it with https:// or http://)");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(key, "expected an http or https URL, got scheme \"" + uri.getScheme() + "\""
                    + (text.contains("://") ? "" : " (start it with https:// or http://)"));
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigException(key, "must not contain credentials (user:password@)"
                    + (this == ENDPOINT ? "; use headers instead" : ""));
        }
        if (uri.getHost() == null) {
            throw new ConfigException(key, quoted + " has no valid host name");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new ConfigException(key, quoted + " has a port outside 1..65535");
        }
        if (!queryAllowed && uri.getRawQuery() != null) {
            throw new ConfigException(key, "must not have a query string (?...)");
        }
        if (!fragmentAllowed && uri.getRawFragment() != null) {
            throw new ConfigException(key, "must not have a fragment (#...)");
        }
        return this == BASE ? withoutTrailingSlash(uri) : uri;
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '/') {
            end--;
        }
        return end == text.length() ? uri : URI.create(text.substring(0, end));
    }

    /**
     * For summaries: an endpoint's path and query are replaced by {@code ***} (they may hold a
     * token); a base URL is shown as it is.
     */
    String display(URI uri) {
        if (!sensitive) {
            return uri.toString();
        }
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        String path = rawPath.isEmpty() || rawPath.equals("/") ? rawPath : "/***";
        String query = uri.getRawQuery() == null ? "" : "?***";
        return uri.getScheme() + "://" + uri.getRawAuthority() + path + query;
    }
}
