package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** deploy/kubernetes/prometheusrule.yaml is generated from prometheus/rocketchat-import-rules.yml; they must not drift. */
class PrometheusRuleTest {
    private static final String RULES = "prometheus/rocketchat-import-rules.yml";
    private static final String RESOURCE = "deploy/kubernetes/prometheusrule.yaml";

    @Test
    void the_prometheus_rule_spec_groups_equal_the_rules_file_groups() {
        JsonNode rules = Repo.yaml(RULES);
        JsonNode resource = Repo.yaml(RESOURCE);
        assertTrue(rules.path("groups").size() > 0);
        assertEquals(List.of("groups"), fieldNames(rules), "the rules file has only groups");
        assertEquals(List.of("groups"), fieldNames(resource.path("spec")), "spec has only groups");
        assertEquals(rules.path("groups"), resource.path("spec").path("groups"),
                "run deploy/kubernetes/generate-prometheusrule.sh after changing " + RULES);
    }

    @Test
    void it_is_a_namespace_agnostic_prometheus_operator_resource() {
        JsonNode resource = Repo.yaml(RESOURCE);
        assertEquals("monitoring.coreos.com/v1", resource.path("apiVersion").asText());
        assertEquals("PrometheusRule", resource.path("kind").asText());
        assertTrue(resource.path("metadata").path("namespace").isMissingNode());
    }

    @Test
    void the_file_is_exactly_what_the_generator_script_writes() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Repo.Run run = Repo.run(List.of("/bin/sh", "deploy/kubernetes/generate-prometheusrule.sh", "--stdout"), Map.of());
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(run.stdout(), Repo.read(RESOURCE), "run deploy/kubernetes/generate-prometheusrule.sh");
    }

    @Test
    void every_alert_of_the_rules_file_is_in_the_resource() {
        List<String> alerts = alertNames(Repo.yaml(RULES).path("groups"));
        assertTrue(alerts.size() >= 9, alerts.toString());
        assertEquals(alerts, alertNames(Repo.yaml(RESOURCE).path("spec").path("groups")));
    }

    private static List<String> alertNames(JsonNode groups) {
        return groups.findValues("alert").stream().map(JsonNode::asText).toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
