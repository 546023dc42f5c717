package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class KubernetesManifestsTest {
    private static final String DIR = "deploy/kubernetes/";
    private static final String SHARDED = DIR + "statefulset-sharded.yaml";
    private static final String NAME = "rocketchat-import-exporter";

    private static JsonNode deployment() {
        return Repo.manifest(DIR + "deployment.yaml", "Deployment", NAME);
    }

    private static JsonNode statefulSet() {
        return Repo.manifest(SHARDED, "StatefulSet", NAME + "-sharded");
    }

    /** Both workloads, with the ConfigMap and Secret each one uses. */
    static Stream<Arguments> workloads() {
        return Stream.of(
                Arguments.of("Deployment", deployment(), Repo.manifest(DIR + "configmap.yaml", "ConfigMap", NAME),
                        Repo.manifest(DIR + "secret.yaml", "Secret", NAME)),
                Arguments.of("StatefulSet", statefulSet(), Repo.manifest(SHARDED, "ConfigMap", NAME + "-sharded"),
                        Repo.manifest(DIR + "secret-sharded.yaml", "Secret", NAME + "-sharded")));
    }

    private static List<JsonNode> allManifests() {
        List<JsonNode> docs = new ArrayList<>();
        for (Path file : Repo.filesUnder(DIR, ".yaml", ".yml")) {
            docs.addAll(Repo.yamlDocuments(file));
        }
        return docs;
    }

    private static List<JsonNode> all(String kind) {
        return allManifests().stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    private static JsonNode container(JsonNode workload) {
        JsonNode containers = workload.path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size(), "one container");
        return containers.get(0);
    }

    private static List<String> mountPaths(JsonNode workload) {
        List<String> paths = new ArrayList<>();
        container(workload).path("volumeMounts").forEach(m -> paths.add(m.path("mountPath").asText()));
        return paths;
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        assertTrue(selector.size() > 0, "empty selector selects everything");
        for (Map.Entry<String, JsonNode> e : selector.properties()) {
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void every_manifest_is_namespace_agnostic_and_labelled() {
        List<JsonNode> docs = allManifests();
        assertTrue(docs.size() >= 10, "manifests found: " + docs.size());
        for (JsonNode doc : docs) {
            String what = doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
            assertFalse(doc.path("kind").asText().isEmpty() || doc.path("apiVersion").asText().isEmpty(), what);
            assertTrue(doc.path("metadata").path("namespace").isMissingNode(), what + " names a namespace");
            assertEquals(NAME, doc.path("metadata").path("labels").path("app.kubernetes.io/name").asText(), what);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void probes_check_health_for_liveness_and_ready_for_readiness(String kind, JsonNode workload) {
        JsonNode c = container(workload);
        assertEquals("/health", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            String port = c.path(probe).path("httpGet").path("port").asText();
            assertTrue(port.equals("metrics") || port.equals("9467"), kind + " " + probe + " port " + port);
        }
        assertEquals("metrics", c.path("ports").get(0).path("name").asText());
        assertEquals(9467, c.path("ports").get(0).path("containerPort").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void runs_as_non_root_with_a_read_only_root_and_no_capabilities(String kind, JsonNode workload) {
        JsonNode pod = workload.path("spec").path("template").path("spec");
        JsonNode sc = container(workload).path("securityContext");
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(false), kind + " pod runAsNonRoot");
        assertTrue(sc.path("runAsNonRoot").asBoolean(false), kind + " container runAsNonRoot");
        String imageUser = DockerfileTest.dockerfile().runtime().last("USER").orElseThrow().arguments().split(":")[0].trim();
        assertEquals(imageUser, pod.path("securityContext").path("runAsUser").asText(), "runAsUser = the image's USER");
        assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(false), kind);
        assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), kind);
        assertEquals("[\"ALL\"]", sc.path("capabilities").path("drop").toString(), kind);
        assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), kind + ": the agent needs no API access");
        // a read-only root needs a writable /tmp for the JVM's perf data and attach files
        assertTrue(mountPaths(workload).contains("/tmp"), kind + " mounts /tmp");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void requests_and_limits_fit_the_jvm_flags(String kind, JsonNode workload) {
        JsonNode resources = container(workload).path("resources");
        assertEquals("128Mi", resources.path("requests").path("memory").asText(), kind);
        assertEquals("20m", resources.path("requests").path("cpu").asText(), kind);
        assertEquals("256Mi", resources.path("limits").path("memory").asText(), kind);
        long jvmCapsMb = 0;
        for (String flag : JvmFlagsTest.jvmOptions()) {
            Matcher m = Pattern.compile("^-(?:Xmx|XX:MaxMetaspaceSize=|XX:ReservedCodeCacheSize=)(\\d+)m$").matcher(flag);
            if (m.find()) {
                jvmCapsMb += Long.parseLong(m.group(1));
            }
        }
        assertTrue(jvmCapsMb > 0 && jvmCapsMb <= 256 - 24,
                "heap + metaspace + code cache caps (" + jvmCapsMb + " MiB) must leave room for threads and buffers in 256Mi");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void config_and_secret_are_wired_into_the_pod(String kind, JsonNode workload, JsonNode configMap, JsonNode secret) {
        JsonNode c = container(workload);
        JsonNode pod = workload.path("spec").path("template").path("spec");
        assertEquals(secret.path("metadata").path("name").asText(),
                c.path("envFrom").get(0).path("secretRef").path("name").asText(), kind);
        String volume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.has("configMap")) {
                assertEquals(configMap.path("metadata").path("name").asText(), v.path("configMap").path("name").asText());
                volume = v.path("name").asText();
            }
        }
        String configVolume = volume;
        JsonNode mount = null;
        for (JsonNode m : c.path("volumeMounts")) {
            if (m.path("name").asText().equals(configVolume)) {
                mount = m;
            }
        }
        assertTrue(mount != null, kind + " mounts the ConfigMap");
        assertEquals("/etc/rocketchat-import-exporter", mount.path("mountPath").asText());
        assertTrue(configMap.path("data").has("config.yaml"));
        String commandLine = c.path("command").toString() + c.path("args").toString();
        assertTrue(commandLine.contains("--config") && commandLine.contains("/etc/rocketchat-import-exporter/config.yaml"), commandLine);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void the_secret_provides_every_variable_the_config_needs_and_holds_only_placeholders(
            String kind, JsonNode workload, JsonNode configMap, JsonNode secret) {
        Set<String> provided = new HashSet<>();
        secret.path("stringData").fieldNames().forEachRemaining(provided::add);
        container(workload).path("env").forEach(e -> provided.add(e.path("name").asText()));
        provided.add("SHARD_INDEX"); // exported by the StatefulSet's shell from POD_NAME
        for (String var : Repo.requiredEnvVars(configMap.path("data").path("config.yaml").asText())) {
            assertTrue(provided.contains(var), kind + ": nothing sets ${" + var + "}");
        }
        assertTrue(secret.path("data").isMissingNode(), "placeholders go in stringData, readable");
        secret.path("stringData").properties().forEach(e ->
                assertTrue(e.getValue().asText().startsWith("REPLACE_WITH_"), e.getKey() + " must be a placeholder"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void pods_carry_prometheus_scrape_annotations_and_the_releases_image(String kind, JsonNode workload) {
        JsonNode annotations = workload.path("spec").path("template").path("metadata").path("annotations");
        assertEquals("true", annotations.path("prometheus.io/scrape").asText());
        assertEquals("9467", annotations.path("prometheus.io/port").asText());
        assertEquals("/metrics", annotations.path("prometheus.io/path").asText());
        assertEquals("rocketchat-import-exporter:" + Repo.pomVersion(), container(workload).path("image").asText(),
                kind + " image tag must follow pom.xml's <version>");
        JsonNode selector = workload.path("spec").path("selector").path("matchLabels");
        assertTrue(selects(selector, workload.path("spec").path("template").path("metadata").path("labels")), kind);
    }

    @Test
    void secrets_live_in_files_of_their_own_so_applying_a_workload_never_overwrites_credentials() {
        for (Path file : Repo.filesUnder(DIR, ".yaml", ".yml")) {
            List<String> kinds = Repo.yamlDocuments(file).stream().map(d -> d.path("kind").asText()).toList();
            if (kinds.contains("Secret")) {
                assertEquals(List.of("Secret"), kinds, file + " mixes a Secret with other objects");
            }
        }
    }

    @Test
    void the_deployment_runs_one_agent() {
        assertEquals(1, deployment().path("spec").path("replicas").asInt());
    }

    @Test
    void each_workload_is_selected_by_exactly_one_service_with_a_metrics_port() {
        List<JsonNode> services = all("Service");
        assertEquals(2, services.size());
        for (JsonNode workload : List.of(deployment(), statefulSet())) {
            JsonNode podLabels = workload.path("spec").path("template").path("metadata").path("labels");
            List<JsonNode> matching = services.stream().filter(s -> selects(s.path("spec").path("selector"), podLabels)).toList();
            assertEquals(1, matching.size(), workload.path("kind").asText() + " pods selected by " + matching.size() + " Services");
            JsonNode port = matching.get(0).path("spec").path("ports").get(0);
            assertEquals("metrics", port.path("name").asText());
            assertEquals(9467, port.path("port").asInt());
        }
        assertEquals("rocketchat-import-exporter", Repo.manifest(DIR + "service.yaml", "Service", NAME).path("metadata").path("name").asText());
    }

    @Test
    void the_service_monitor_scrapes_the_services_metrics_port_every_15s() {
        JsonNode monitor = Repo.manifest(DIR + "servicemonitor.yaml", "ServiceMonitor", NAME);
        assertEquals("monitoring.coreos.com/v1", monitor.path("apiVersion").asText());
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertEquals("15s", endpoint.path("interval").asText());
        assertEquals("/metrics", endpoint.path("path").asText());
        for (JsonNode service : all("Service")) {
            assertTrue(selects(monitor.path("spec").path("selector").path("matchLabels"), service.path("metadata").path("labels")),
                    "the ServiceMonitor does not select Service " + service.path("metadata").path("name").asText());
            List<String> portNames = new ArrayList<>();
            service.path("spec").path("ports").forEach(p -> portNames.add(p.path("name").asText()));
            assertTrue(portNames.contains(endpoint.path("port").asText()),
                    "ServiceMonitor port " + endpoint.path("port").asText() + " not among " + portNames);
            // prometheus-operator's job label is the Service name; RocketChatImportExporterDown matches job=~".*rocketchat-import.*"
            assertTrue(service.path("metadata").path("name").asText().contains("rocketchat-import"));
        }
        assertTrue(monitor.path("spec").path("jobLabel").isMissingNode(), "jobLabel would rename the job");
    }

    @Test
    void the_sharded_statefulset_has_as_many_replicas_as_shards_and_the_index_from_the_pod_name() {
        JsonNode sts = statefulSet();
        JsonNode config = Repo.yamlText(Repo.manifest(SHARDED, "ConfigMap", NAME + "-sharded").path("data").path("config.yaml").asText());
        assertEquals(2, sts.path("spec").path("replicas").asInt());
        assertEquals(sts.path("spec").path("replicas").asInt(), config.path("shard").path("count").asInt(),
                "shard.count must equal the StatefulSet's replicas");
        assertEquals("${SHARD_INDEX}", config.path("shard").path("index").asText());
        assertTrue(config.path("targets").size() > sts.path("spec").path("replicas").asInt(), "more targets than shards");

        JsonNode podName = container(sts).path("env").get(0);
        assertEquals("POD_NAME", podName.path("name").asText());
        assertEquals("metadata.name", podName.path("valueFrom").path("fieldRef").path("fieldPath").asText());
        JsonNode governing = Repo.manifest(SHARDED, "Service", sts.path("spec").path("serviceName").asText());
        assertEquals("None", governing.path("spec").path("clusterIP").asText(), "the governing Service is headless");
    }
}
