package io.rcimport.exporter.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PromQL of every panel query of a Grafana dashboard (rows' nested panels included), with
 * Grafana's variables replaced as {@code prometheus/dashboard-queries.sh} does.
 */
final class DashboardQueries {
    /** One panel query: where it is, and the expression Prometheus gets. */
    record Query(String label, String expr) {
    }

    private DashboardQueries() {
    }

    static List<Query> read(Path dashboard) throws IOException {
        JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            collect(panel, out);
            for (JsonNode nested : panel.path("panels")) {
                collect(nested, out);
            }
        }
        return out;
    }

    private static void collect(JsonNode panel, List<Query> out) {
        if ("row".equals(panel.path("type").asText())) {
            return;
        }
        for (JsonNode target : panel.path("targets")) {
            String expr = target.path("expr").asText("");
            if (!expr.isBlank()) {
                out.add(new Query(panel.path("title").asText() + " [" + target.path("refId").asText() + "]", substitute(expr)));
            }
        }
    }

    /** Grafana's variables as a dashboard with target "All" over one hour would send them. */
    static String substitute(String expr) {
        return expr
                .replace("${__rate_interval}", "1m").replace("$__rate_interval", "1m")
                .replace("${__interval}", "15s").replace("$__interval", "15s")
                .replace("${__range}", "1h").replace("$__range", "1h")
                .replace("${target}", ".*").replace("$target", ".*")
                // job and instance as "All" (allValue .+, as dashboard-linter wants)
                .replace("${job}", ".+").replace("$job", ".+")
                .replace("${instance}", ".+").replace("$instance", ".+");
    }
}
