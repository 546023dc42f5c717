package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComposeTest {
    private static final String COMPOSE = "deploy/docker-compose.yml";
    private static final Path COMPOSE_DIR = Repo.ROOT.resolve("deploy");

    private final JsonNode compose = Repo.yaml(COMPOSE);
    private final JsonNode services = compose.path("services");

    /** A short-syntax bind mount: the file in the repository and where it appears in the container. */
    record Mount(Path source, String target) {
    }

    private List<Mount> bindMounts(String service) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode volume : services.path(service).path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
                mounts.add(new Mount(COMPOSE_DIR.resolve(parts[0]).normalize(), parts[1]));
            }
        }
        return mounts;
    }

    /** The repository file mounted at {@code target} in {@code service}. */
    private Path mountedAt(String service, String target) {
        for (Mount m : bindMounts(service)) {
            if (target.equals(m.target())) {
                return m.source();
            }
            if (target.startsWith(m.target() + "/")) {
                return m.source().resolve(target.substring(m.target().length() + 1));
            }
        }
        throw new AssertionError(service + " mounts nothing at " + target);
    }

    private String flag(String service, String name) {
        for (JsonNode arg : services.path(service).path("command")) {
            if (arg.asText().startsWith(name + "=")) {
                return arg.asText().substring(name.length() + 1);
            }
        }
        throw new AssertionError(service + " has no " + name);
    }

    private static String relative(Path p) {
        return Repo.ROOT.relativize(p).toString();
    }

    @Test
    void the_stack_has_the_agent_prometheus_alertmanager_and_grafana() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertTrue(names.containsAll(List.of("agent", "prometheus", "alertmanager", "grafana")), names.toString());
    }

    @Test
    void every_mounted_file_exists_in_the_repository() {
        int mounts = 0;
        for (String service : List.of("agent", "prometheus", "alertmanager", "grafana")) {
            for (Mount m : bindMounts(service)) {
                assertTrue(Files.exists(m.source()), service + " mounts " + m.source() + ", which does not exist");
                assertTrue(m.source().startsWith(Repo.ROOT), service + " mounts something outside the repository: " + m.source());
                mounts++;
            }
        }
        assertTrue(mounts >= 6, "bind mounts: " + mounts);
        Set<String> declared = new java.util.HashSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(declared::add);
        services.forEach(s -> s.path("volumes").forEach(v -> {
            String source = v.asText().split(":")[0];
            if (!source.startsWith(".") && !source.startsWith("/")) {
                assertTrue(declared.contains(source), "named volume " + source + " is not declared");
            }
        }));
    }

    @Test
    void the_agent_is_built_from_the_repository_with_its_config_and_credentials_from_env() {
        JsonNode agent = services.path("agent");
        Path context = COMPOSE_DIR.resolve(agent.path("build").path("context").asText()).normalize();
        assertEquals(Repo.ROOT, context);
        assertTrue(Files.isRegularFile(context.resolve(agent.path("build").path("dockerfile").asText("Dockerfile"))));
        assertEquals("rocketchat-import-exporter:" + Repo.pomVersion(), agent.path("image").asText());
        assertEquals(Repo.file("deploy/compose/config.yaml"), mountedAt("agent", DockerfileTest.IMAGE_CONFIG));
        assertEquals("[\"--config\",\"" + DockerfileTest.IMAGE_CONFIG + "\"]", agent.path("command").toString());
        assertEquals("compose/.env", agent.path("env_file").asText());
        assertEquals("9467:9467", agent.path("ports").get(0).asText());
        assertTrue(agent.path("read_only").asBoolean(false));
    }

    @Test
    void the_env_example_sets_every_variable_the_agent_config_needs_with_placeholder_secrets() throws IOException {
        Properties example = new Properties();
        try (var reader = Files.newBufferedReader(Repo.file("deploy/compose/.env.example"))) {
            example.load(reader);
        }
        for (String var : Repo.requiredEnvVars(Repo.read("deploy/compose/config.yaml"))) {
            assertTrue(example.containsKey(var), ".env.example lacks " + var);
        }
        assertTrue(example.getProperty("RC_AUTH_TOKEN").startsWith("REPLACE_WITH_"));
        assertTrue(example.getProperty("RC_USER_ID").startsWith("REPLACE_WITH_"));
        assertTrue(Repo.read(".gitignore").lines().anyMatch("deploy/compose/.env"::equals), "git must ignore the real .env");
    }

    @Test
    void no_service_sets_a_token_password_or_secret_in_the_compose_file() {
        services.properties().forEach(service -> service.getValue().path("environment").properties().forEach(env -> {
            String name = env.getKey().toUpperCase(Locale.ROOT);
            assertFalse(name.contains("TOKEN") || name.contains("PASSWORD") || name.contains("SECRET"),
                    service.getKey() + " sets " + env.getKey() + " in the compose file; use compose/.env");
        }));
    }

    @Test
    void prometheus_loads_the_shipped_rules_scrapes_the_agent_and_alerts_the_alertmanager() {
        Path config = mountedAt("prometheus", flag("prometheus", "--config.file"));
        assertEquals(Repo.file("deploy/compose/prometheus.yml"), config);
        JsonNode prometheus = Repo.yaml(relative(config));
        String configDir = Path.of(flag("prometheus", "--config.file")).getParent().toString();
        for (JsonNode ruleFile : prometheus.path("rule_files")) {
            String inContainer = ruleFile.asText().startsWith("/") ? ruleFile.asText() : configDir + "/" + ruleFile.asText();
            assertEquals(Repo.file("prometheus/rocketchat-import-rules.yml"), mountedAt("prometheus", inContainer));
        }
        assertEquals(1, prometheus.path("rule_files").size());

        JsonNode job = prometheus.path("scrape_configs").get(0);
        assertTrue(job.path("job_name").asText().contains("rocketchat-import"), "RocketChatImportExporterDown needs it");
        assertEquals("[\"agent:9467\"]", job.path("static_configs").get(0).path("targets").toString());
        assertEquals("[\"alertmanager:9093\"]",
                prometheus.path("alerting").path("alertmanagers").get(0).path("static_configs").get(0).path("targets").toString());
    }

    @Test
    void the_agent_pushes_alerts_to_the_alertmanager_service_and_links_to_an_external_url() {
        JsonNode alerting = Repo.yaml("deploy/compose/config.yaml").path("alerting");
        assertEquals("http://alertmanager:9093", alerting.path("alertmanagers").get(0).path("url").asText());
        assertTrue(alerting.path("external_url").asText().startsWith("${"), alerting.toString());
        assertTrue(services.has("alertmanager"));
        assertEquals("9093:9093", services.path("alertmanager").path("ports").get(0).asText());
    }

    @Test
    void the_compose_alertmanager_routes_and_inhibits_like_the_shipped_example() {
        Path config = mountedAt("alertmanager", flag("alertmanager", "--config.file"));
        assertEquals(Repo.file("deploy/compose/alertmanager.yml"), config);
        JsonNode compose = Repo.yaml(relative(config));
        JsonNode shipped = Repo.yaml("prometheus/alertmanager.yml");
        assertEquals(shipped.path("route"), compose.path("route"));
        assertEquals(shipped.path("inhibit_rules"), compose.path("inhibit_rules"));
        List<String> receivers = new ArrayList<>();
        compose.path("receivers").forEach(r -> receivers.add(r.path("name").asText()));
        assertEquals(List.of("null", "rocketchat-import"), receivers);
    }

    @Test
    void grafana_gets_the_shipped_provisioning_and_dashboard_and_reaches_prometheus_by_service_name() {
        assertEquals(Repo.ROOT.resolve("grafana/provisioning"), mountedAt("grafana", "/etc/grafana/provisioning"));
        JsonNode provider = Repo.yaml("grafana/provisioning/dashboards/rocketchat-import.yml").path("providers").get(0);
        Path dashboards = mountedAt("grafana", provider.path("options").path("path").asText());
        assertEquals(Repo.ROOT.resolve("grafana/dashboards"), dashboards);
        assertTrue(Files.isRegularFile(dashboards.resolve("rocketchat-import.json")));
        assertEquals(Repo.file("grafana/dashboards/rocketchat-import.json"),
                mountedAt("grafana", services.path("grafana").path("environment")
                        .path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText()));

        String url = Repo.yaml("grafana/provisioning/datasources/prometheus.yml").path("datasources").get(0).path("url").asText();
        assertEquals("http://prometheus:9090", url);
        assertTrue(services.has("prometheus"));
        assertEquals("9090:9090", services.path("prometheus").path("ports").get(0).asText());
    }

    @Test
    void the_demo_override_only_switches_the_agent_to_the_simulator() {
        JsonNode demo = Repo.yaml("deploy/compose/demo.yml").path("services");
        assertEquals(List.of("agent"), fieldNames(demo));
        assertEquals("[\"--demo\",\"--config\",\"" + DockerfileTest.IMAGE_CONFIG + "\"]", demo.path("agent").path("command").toString());
    }

    @Test
    void promtool_accepts_the_compose_prometheus_config_with_the_mounted_rules(@TempDir Path dir) throws IOException {
        assumeTrue(Repo.onPath("promtool"), "promtool not installed (Debian package prometheus)");
        Files.copy(Repo.file("deploy/compose/prometheus.yml"), dir.resolve("prometheus.yml"));
        Files.copy(Repo.file("prometheus/rocketchat-import-rules.yml"), dir.resolve("rocketchat-import-rules.yml"));
        Repo.Run run = Repo.run(List.of("promtool", "check", "config", dir.resolve("prometheus.yml").toString()), Map.of());
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    }

    @Test
    void amtool_accepts_the_compose_alertmanager_config() {
        assumeTrue(Repo.onPath("amtool"), "amtool not installed (Debian package prometheus-alertmanager)");
        Repo.Run run = Repo.run(List.of("amtool", "check-config", "deploy/compose/alertmanager.yml"), Map.of());
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

}
