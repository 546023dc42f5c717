package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every YAML file that ships (deploy/, prometheus/, grafana/, config.yaml) and the dashboard JSON parse. */
class YamlFilesParseTest {

    static List<Path> yamlFiles() {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("deploy", "prometheus", "grafana")) {
            files.addAll(Repo.filesUnder(dir, ".yml", ".yaml"));
        }
        files.add(Repo.file("config.yaml"));
        return files;
    }

    static Stream<Path> dashboards() {
        return Repo.filesUnder("grafana", ".json").stream();
    }

    @Test
    void the_walk_finds_the_files_it_should() {
        List<String> names = yamlFiles().stream().map(p -> Repo.ROOT.relativize(p).toString()).toList();
        assertTrue(names.size() >= 15, names.toString());
        for (String expected : List.of("config.yaml", "deploy/docker-compose.yml", "deploy/kubernetes/statefulset-sharded.yaml",
                "prometheus/rocketchat-import-rules.yml", "grafana/provisioning/datasources/prometheus.yml")) {
            assertTrue(names.contains(expected), expected + " not among " + names);
        }
        assertEquals(1, dashboards().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("yamlFiles")
    void parses_as_yaml_with_every_document_a_mapping_and_no_duplicate_keys(Path file) {
        List<JsonNode> docs = Repo.yamlDocuments(file); // strict: duplicate keys fail here
        assertFalse(docs.isEmpty(), file + " holds no YAML document");
        for (JsonNode doc : docs) {
            assertTrue(doc.isObject(), file + ": a document is not a mapping but " + doc.getNodeType());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("yamlFiles")
    void config_files_embedded_in_config_maps_parse_too(Path file) {
        for (JsonNode doc : Repo.yamlDocuments(file)) {
            if ("ConfigMap".equals(doc.path("kind").asText())) {
                doc.path("data").properties().forEach(entry -> {
                    if (entry.getKey().endsWith(".yaml") || entry.getKey().endsWith(".yml")) {
                        assertTrue(Repo.yamlText(entry.getValue().asText()).isObject(), file + " " + entry.getKey());
                    }
                });
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void the_dashboard_json_parses_and_has_a_uid_and_panels(Path file) throws IOException {
        JsonNode dashboard = Repo.JSON.readTree(file.toFile());
        assertEquals("rocketchat-import", dashboard.path("uid").asText());
        assertTrue(dashboard.path("panels").size() > 0);
        assertTrue(dashboard.path("templating").path("list").size() > 0);
    }
}
