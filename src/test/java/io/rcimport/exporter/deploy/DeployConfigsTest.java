package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigException;
import io.rcimport.exporter.config.ConfigLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every agent configuration that ships with the deployments is valid for the agent's own loader. */
class DeployConfigsTest {
    private static final String SHARDED = "deploy/kubernetes/statefulset-sharded.yaml";

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("config.yaml", Repo.read("config.yaml")),
                Arguments.of("deploy/docker/config.yaml", Repo.read("deploy/docker/config.yaml")),
                Arguments.of("deploy/compose/config.yaml", Repo.read("deploy/compose/config.yaml")),
                Arguments.of("deploy/kubernetes/configmap.yaml", configMap("deploy/kubernetes/configmap.yaml", "rocketchat-import-exporter")));
    }

    private static String configMap(String file, String name) {
        return Repo.manifest(file, "ConfigMap", name).path("data").path("config.yaml").asText();
    }

    /** A value for every required ${VAR}: a URL where the name says URL, a placeholder otherwise. */
    private static Map<String, String> environmentFor(String yaml) {
        Map<String, String> env = new HashMap<>();
        for (String var : Repo.requiredEnvVars(yaml)) {
            env.put(var, var.endsWith("URL") ? "https://chat.example.com" : "placeholder-" + var.toLowerCase());
        }
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void loads_with_its_variables_set_and_listens_on_9467(String name, String yaml) throws ConfigException {
        Config config = ConfigLoader.parse(yaml, environmentFor(yaml));
        assertEquals(9467, config.server().port(), name);
        assertEquals("0.0.0.0", config.server().host(), name);
        assertTrue(!config.targets().isEmpty(), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void without_its_variables_it_fails_naming_the_first_one(String name, String yaml) {
        List<String> vars = Repo.requiredEnvVars(yaml);
        assumeTrue(!vars.isEmpty(), name + " needs no variables");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of()));
        assertTrue(e.getMessage().contains(vars.get(0)), e.getMessage());
    }

    @Test
    void the_compose_config_sends_alerts_to_the_alertmanager_container() throws ConfigException {
        String yaml = Repo.read("deploy/compose/config.yaml");
        Config config = ConfigLoader.parse(yaml, environmentFor(yaml));
        assertEquals("http://alertmanager:9093", config.alerting().alertmanagers().get(0).url().toString().replaceAll("/$", ""));
    }

    @Test
    void the_sharded_config_gives_every_pod_index_a_share_and_each_target_to_exactly_one_pod() throws ConfigException {
        String yaml = configMap(SHARDED, "rocketchat-import-exporter-sharded");
        int replicas = Repo.manifest(SHARDED, "StatefulSet", "rocketchat-import-exporter-sharded").path("spec").path("replicas").asInt();
        List<String> owned = new ArrayList<>();
        List<String> all = List.of();
        for (int index = 0; index < replicas; index++) {
            Map<String, String> env = environmentFor(yaml);
            env.put("SHARD_INDEX", String.valueOf(index));
            Config config = ConfigLoader.parse(yaml, env);
            assertEquals(new Config.Shard(index, replicas), config.shard());
            List<String> mine = config.ownedTargets().stream().map(Config.Target::name).toList();
            assertFalse(mine.isEmpty(), "the example leaves pod " + index + " without a target: " + mine);
            owned.addAll(mine);
            all = config.targets().stream().map(Config.Target::name).toList();
        }
        assertEquals(all.stream().sorted().toList(), owned.stream().sorted().toList());
    }

    @Test
    void the_sharded_config_refuses_an_index_outside_the_fleet() {
        String yaml = configMap(SHARDED, "rocketchat-import-exporter-sharded");
        Map<String, String> env = environmentFor(yaml);
        env.put("SHARD_INDEX", "2");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, env));
        assertTrue(e.getMessage().contains("shard.index"), e.getMessage());
    }
}
