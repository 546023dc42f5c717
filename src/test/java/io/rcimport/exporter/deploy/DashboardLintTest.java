package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard follows grafana/dashboard-linter's rules (template-job/instance,
 * target-job/instance, uneditable-dashboard, panel-units), checked here without the linter.
 */
class DashboardLintTest {
    private static final String DASHBOARD = "grafana/dashboards/rocketchat-import.json";
    /** A metric name with its optional selector; functions are followed by "(", label names by "=" or ",". */
    private static final Pattern SELECTOR = Pattern.compile(
            "\\b((?:rocketchat_import|resilience4j|jvm|process)_[a-zA-Z0-9_:]*)(\\{[^}]*\\})?");

    private static JsonNode dashboard() throws IOException {
        return Repo.JSON.readTree(Repo.file(DASHBOARD).toFile());
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            out.add(p);
            p.path("panels").forEach(out::add);
        });
        out.removeIf(p -> p.path("type").asText().equals("row"));
        return out;
    }

    private static JsonNode variable(JsonNode dashboard, String name) {
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no variable " + name);
    }

    @Test
    void the_dashboard_is_not_editable() throws IOException {
        assertFalse(dashboard().path("editable").asBoolean(true), "editable must be false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"job", "instance"})
    void job_and_instance_are_multi_select_variables_from_the_datasource_with_all_as_dot_plus(String name) throws IOException {
        JsonNode v = variable(dashboard(), name);
        assertEquals("query", v.path("type").asText());
        assertEquals("${datasource}", v.path("datasource").path("uid").asText());
        assertEquals("prometheus", v.path("datasource").path("type").asText());
        assertTrue(v.path("multi").asBoolean(), name + " multi");
        assertTrue(v.path("includeAll").asBoolean(), name + " includeAll");
        assertEquals(".+", v.path("allValue").asText());
        assertEquals(2, v.path("refresh").asInt(), name + ": refresh on time range change");
        assertTrue(v.path("query").asText().startsWith("label_values("), v.toString());
    }

    @Test
    void the_datasource_variable_is_labelled_as_the_linter_wants() throws IOException {
        assertEquals("Data Source", variable(dashboard(), "datasource").path("label").asText());
    }

    @Test
    void every_selector_of_every_query_has_job_and_instance_matchers() throws IOException {
        int selectors = 0;
        for (JsonNode panel : panels(dashboard())) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = SELECTOR.matcher(target.path("expr").asText());
                while (m.find()) {
                    selectors++;
                    String sel = m.group(2) == null ? "" : m.group(2);
                    String where = panel.path("title").asText() + " [" + target.path("refId").asText() + "] " + m.group(1);
                    assertTrue(sel.contains("job=~\"$job\""), where + ": no job matcher");
                    assertTrue(sel.contains("instance=~\"$instance\""), where + ": no instance matcher");
                }
            }
        }
        assertTrue(selectors >= 24, "selectors: " + selectors);
    }

    @Test
    void stat_and_timeseries_panels_without_value_mappings_have_a_unit() throws IOException {
        for (JsonNode panel : panels(dashboard())) {
            String type = panel.path("type").asText();
            if (!List.of("stat", "timeseries", "gauge", "bargauge").contains(type)) {
                continue;
            }
            JsonNode defaults = panel.path("fieldConfig").path("defaults");
            if (defaults.path("mappings").size() > 0) {
                continue;
            }
            assertFalse(defaults.path("unit").asText().isEmpty(), panel.path("title").asText() + " (" + type + ") has no unit");
        }
    }
}
