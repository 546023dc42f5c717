package io.rcimport.exporter.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code /} page: a small, dependency-free HTML shell that reads {@code status} (a relative
 * URL, so it works behind a path prefix) every two seconds and redraws its table in place,
 * without a full reload. Static: rendered once, served as is.
 *
 * <p>Safety: the only server value put into the HTML here is the version, escaped. The script
 * writes every value from {@code /status} with {@code textContent} or as an attribute value,
 * never as markup ({@code StatusPageTest} keeps it that way), so a status or error message
 * holding {@code <script>} shows as text.
 *
 * <p>Tests select by the stable hooks: {@code tr[data-target=NAME]} (id {@code target-NAME}),
 * cells {@code .col-*}, and inside them {@code .state-badge}, {@code .flag-*}, {@code .bar-fill},
 * {@code .pct}, {@code .completed}, {@code .failed}, {@code .total}, {@code .error-outcome},
 * {@code .error-message}, {@code .alert}; header ids {@code count-*}, {@code refresh-status},
 * {@code last-refresh} and the banner {@code connection-lost}.
 */
final class StatusPage {
    private final String html;

    StatusPage(String version) {
        this.html = TEMPLATE.replace("{{version}}", escape(version));
    }

    String html() {
        return html;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    /** The page's script, for tests that check how it writes into the document. */
    static String script() {
        int start = TEMPLATE.indexOf("<script>");
        int end = TEMPLATE.indexOf("</script>");
        return TEMPLATE.substring(start + "<script>".length(), end);
    }

    /** The page, kept as a resource so that it reads (and diffs) as HTML. */
    private static final String TEMPLATE = load("status-page.html");

    private static String load(String resource) {
        try (InputStream in = StatusPage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + resource + " beside StatusPage");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
