package io.rcimport.exporter.http;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.alert.Severity;
import io.rcimport.exporter.rocketchat.HttpAnswer;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.ResponseClassifier;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The status page without a browser: what the HTML shell holds and how its script is allowed to
 * write into the document. {@code StatusPageBrowserIT} renders it in Chromium.
 */
class StatusPageTest {
    private static final String HOSTILE = "<script>alert(1)</script><img src=x onerror=\"alert('x')\">";

    @Test
    void the_version_is_html_escaped_quotes_included() {
        String html = new StatusPage(HOSTILE).html();
        assertFalse(html.contains(HOSTILE), html);
        assertTrue(html.contains("version &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;"),
                html);
        assertEquals(1, count(html, "<script>"), "only the page's own script");
    }

    /**
     * A target, status or error message holding {@code <script>} must show as text. The script
     * gets that by construction: it writes server values only with {@code textContent} and
     * attribute setters, and has no way to turn a string into markup.
     */
    @Test
    void the_script_has_no_way_to_turn_a_server_string_into_markup() {
        String script = StatusPage.script();
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
                "srcdoc", "javascript:", "setHTML", "createContextualFragment", "DOMParser", "parseFromString",
                "setTimeout('", "setTimeout(\"", "setAttribute('on", "setAttribute('style", "setAttribute('href")) {
            assertFalse(script.contains(sink), "the page's script uses " + sink);
        }
        assertTrue(script.contains(".textContent = "), "values are written as text");
        // The one URL built from a server value: the link to /status/{target}, encoded.
        Matcher href = Pattern.compile("\\.href = (.*);").matcher(script);
        assertTrue(href.find(), script);
        assertEquals("'status/' + encodeURIComponent(name)", href.group(1));
        assertFalse(href.find(), "a second href assignment: " + script);
    }

    @Test
    void the_shell_is_a_semantic_accessible_table_with_stable_hooks() {
        String html = new StatusPage("1.2.3").html();
        assertTrue(html.contains("<html lang=\"en\">"));
        assertTrue(html.contains("<caption"), "the table has a caption");
        assertTrue(html.contains("<thead><tr><th scope=\"col\">Target</th>"));
        assertTrue(html.contains("id=\"refresh-status\" role=\"status\" aria-live=\"polite\""), "the refresh status is announced");
        assertTrue(html.contains("id=\"connection-lost\" class=\"banner\" role=\"alert\" hidden"), "the banner starts hidden");
        String script = StatusPage.script();
        assertTrue(script.contains("tr.dataset.target = name"), "rows carry data-target");
        assertTrue(script.contains("setAttribute('role', 'progressbar')"), "the bar is a progressbar for assistive technology");
        assertTrue(script.contains("fetch('status'"), "a relative URL: works behind a path prefix");
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("//cdn"), "nothing from another host");
    }

    @Test
    void every_field_the_script_reads_exists_in_the_status_json() {
        Clock clock = TestClock.at("2021-10-26T20:53:00Z");
        StatusStore store = new StatusStore(List.of("main"), clock, Duration.ofMinutes(10));
        store.update("main", ResponseClassifier.classify(new HttpAnswer(200, "application/json", bytes("status-importing-slack.json"),
                false, OptionalLong.empty(), Optional.empty()), 1 << 20, clock.instant()));
        store.update("main", new PollResult.Failure(Outcome.SERVER_ERROR, "HTTP 500", Optional.empty(), OptionalLong.empty()));
        Alert alert = new Alert(Alert.STALLED, Severity.WARNING, "main", Optional.empty(), "stalled", "stalled", clock.instant());
        Map<String, Object> root = new StatusJson(Duration.ofMinutes(1), name -> "closed", name -> List.of(alert))
                .all(store.all(), clock.instant(), "1.2.3");
        @SuppressWarnings("unchecked")
        Map<String, Object> target = ((List<Map<String, Object>>) root.get("targets")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> operation = (Map<String, Object>) target.get("operation");
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) target.get("last_error");
        @SuppressWarnings("unchecked")
        Map<String, Object> firing = ((List<Map<String, Object>>) target.get("alerts")).get(0);

        String script = StatusPage.script();
        assertReadsOnly(script, "d", root.keySet());
        assertReadsOnly(script, "t", target.keySet());
        assertReadsOnly(script, "op", operation.keySet());
        @SuppressWarnings("unchecked")
        Set<String> counts = ((Map<String, Object>) operation.get("count")).keySet();
        assertReadsOnly(script, "n", counts);
        assertReadsOnly(script, "e", error.keySet());
        assertReadsOnly(script, "a", firing.keySet());
    }

    /** Every {@code variable.field} in the script names a key that exists. */
    private static void assertReadsOnly(String script, String variable, Set<String> keys) {
        Matcher m = Pattern.compile("(?<![\\w.])" + variable + "\\.([a-z_]+)").matcher(script);
        Set<String> read = new TreeSet<>();
        while (m.find()) {
            read.add(m.group(1));
        }
        assertFalse(read.isEmpty(), "the script reads nothing from " + variable);
        read.removeAll(keys);
        assertTrue(read.isEmpty(), "the script reads " + variable + "." + read + " but /status has only " + keys);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
