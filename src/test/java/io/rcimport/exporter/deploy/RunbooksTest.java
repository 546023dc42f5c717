package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.config.Config;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Rules, the agent's alerts and README.md stay in step: every alert (each rule of
 * prometheus/rocketchat-import-rules.yml, each name in {@link Alert}) has a {@code runbook_url}
 * whose anchor is a section of README.md, and the rules' summaries follow mixtool's style.
 */
class RunbooksTest {
    private static final String RULES = "prometheus/rocketchat-import-rules.yml";
    private static final String BASE = Config.Alerting.DEFAULT_RUNBOOK_BASE_URL;
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern EXPLICIT_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern SUMMARY_STYLE = Pattern.compile("^[A-Z].+\\.$"); // mixtool alert-summary-style

    /** The anchors GitHub gives README.md's headings (lower case, punctuation dropped, spaces to dashes), and explicit ones. */
    static Set<String> readmeAnchors() {
        String readme = Repo.read("README.md").replaceAll("(?ms)^```.*?^```", "");
        Set<String> anchors = new LinkedHashSet<>();
        Matcher h = HEADING.matcher(readme);
        while (h.find()) {
            anchors.add(h.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-'));
        }
        Matcher a = EXPLICIT_ANCHOR.matcher(readme);
        while (a.find()) {
            anchors.add(a.group(1));
        }
        return anchors;
    }

    static List<JsonNode> rules() {
        List<JsonNode> out = new ArrayList<>();
        Repo.yaml(RULES).path("groups").forEach(g -> g.path("rules").forEach(r -> {
            if (r.has("alert")) {
                out.add(r);
            }
        }));
        return out;
    }

    static Set<String> agentAlertNames() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field f : Alert.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                names.add((String) f.get(null));
            }
        }
        return names;
    }

    private static void assertAnchorInReadme(String alert, String url, Set<String> anchors) {
        assertTrue(url.startsWith(BASE), alert + ": runbook_url " + url + " does not start with " + BASE);
        String anchor = url.substring(BASE.length());
        assertEquals(alert.toLowerCase(Locale.ROOT), anchor, alert + ": the anchor is the alert name in lower case");
        assertTrue(anchors.contains(anchor), alert + ": README.md has no section #" + anchor + " (add \"### " + alert + "\")");
    }

    @Test
    void every_rule_has_a_runbook_url_whose_anchor_is_a_readme_section() {
        Set<String> anchors = readmeAnchors();
        List<JsonNode> rules = rules();
        assertTrue(rules.size() >= 9, "rules: " + rules.size());
        for (JsonNode rule : rules) {
            String alert = rule.path("alert").asText();
            JsonNode url = rule.path("annotations").path("runbook_url");
            assertTrue(url.isTextual(), alert + " has no annotations.runbook_url");
            assertAnchorInReadme(alert, url.asText(), anchors);
        }
    }

    @Test
    void every_alert_the_agent_pushes_has_a_runbook_url_whose_anchor_is_a_readme_section() throws Exception {
        Set<String> anchors = readmeAnchors();
        Set<String> names = agentAlertNames();
        assertEquals(6, names.size(), names.toString());
        for (String alert : names) {
            assertAnchorInReadme(alert, Config.Alerting.defaults().runbookUrl(alert), anchors);
        }
    }

    @Test
    void the_agent_pushes_only_alerts_the_rules_ship_too() throws Exception {
        Set<String> ruleNames = new TreeSet<>();
        rules().forEach(r -> ruleNames.add(r.path("alert").asText()));
        Set<String> agent = agentAlertNames();
        assertTrue(ruleNames.containsAll(agent), "in Alert but not in the rules: " + agent + " vs " + ruleNames);
    }

    @Test
    void every_runbook_section_in_the_readme_belongs_to_an_alert() throws Exception {
        Set<String> alerts = new TreeSet<>();
        rules().forEach(r -> alerts.add(r.path("alert").asText().toLowerCase(Locale.ROOT)));
        agentAlertNames().forEach(n -> alerts.add(n.toLowerCase(Locale.ROOT)));
        for (String anchor : readmeAnchors()) {
            if (anchor.startsWith("rocketchatimport")) {
                assertTrue(alerts.contains(anchor), "README.md has a runbook #" + anchor + " for no alert");
            }
        }
        assertTrue(readmeAnchors().containsAll(alerts), "missing runbooks: " + alerts);
    }

    @Test
    void rule_summaries_and_descriptions_follow_mixtool_lint() {
        for (JsonNode rule : rules()) {
            String alert = rule.path("alert").asText();
            String summary = rule.path("annotations").path("summary").asText();
            assertFalse(summary.isEmpty(), alert + " has no summary");
            assertFalse(summary.contains("{{"), alert + ": the summary must not be templated (mixtool alert-summary-templating): " + summary);
            assertTrue(SUMMARY_STYLE.matcher(summary).matches(),
                    alert + ": the summary must start with a capital letter and end with a period: " + summary);
            assertTrue(rule.path("annotations").path("description").asText().contains("{{"),
                    alert + ": the description must be templated (mixtool alert-description-templating)");
            String expr = rule.path("expr").asText();
            boolean perTarget = !expr.contains("up{") && !expr.contains("absent(");
            if (perTarget) {
                assertTrue(rule.path("annotations").path("description").asText().contains("$labels.target"),
                        alert + ": the target moved out of the summary must stay in the description");
            }
        }
    }
}
