package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.errorWithTarget;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code storage: {path}}: where the agent keeps its state across restarts (issue 11). */
class StorageConfigTest {

    @Test
    void without_a_storage_section_nothing_is_kept() throws ConfigException {
        Config config = parse(ONE_TARGET);

        assertEquals(Config.Storage.defaults(), config.storage());
        assertEquals(Optional.empty(), config.storage().path());
        assertTrue(ConfigSummary.describe(config).contains("storage:            none (memory only)\n"));
    }

    @Test
    void a_relative_path_resolves_against_the_config_files_directory_and_is_not_created(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "storage:\n  path: state/../data\n" + ONE_TARGET);

        Config config = ConfigLoader.load(file, Map.of());

        assertEquals(Optional.of(dir.resolve("data").toAbsolutePath().normalize()), config.storage().path());
        assertFalse(Files.exists(dir.resolve("data")), "--check-config must create nothing");
        assertTrue(ConfigSummary.describe(config).contains("storage:            " + dir.resolve("data") + "\n"));
    }

    @Test
    void the_path_may_come_from_the_environment() throws ConfigException {
        Config config = parse("storage: {path: \"${STATE_DIR}\"}\n" + ONE_TARGET, Map.of("STATE_DIR", "/var/lib/rie"));

        assertEquals(Optional.of(Path.of("/var/lib/rie")), config.storage().path());
    }

    @Test
    void an_empty_section_is_memory_only() throws ConfigException {
        assertEquals(Config.Storage.defaults(), parse("storage:\n" + ONE_TARGET).storage());
    }

    @Test
    void unknown_keys_and_wrong_shapes_are_errors_naming_the_key() {
        ConfigException typo = errorWithTarget("storage: {pth: /var/lib/rie}\n");
        assertEquals("storage.pth", typo.key());
        assertTrue(typo.getMessage().contains("did you mean \"path\""), typo.getMessage());

        assertEquals("storage.path", errorWithTarget("storage: {path: [a, b]}\n").key());
        assertEquals("storage.path", errorWithTarget("storage: {path: \"\"}\n").key());
        assertEquals("storage", errorWithTarget("storage: /var/lib/rie\n").key());
    }

    @Test
    void a_top_level_typo_suggests_storage() {
        ConfigException e = errorWithTarget("storge: {path: /x}\n");

        assertTrue(e.getMessage().contains("storage"), e.getMessage());
    }

    @Test
    void a_reload_keeps_the_running_storage_and_says_a_change_needs_a_restart() throws ConfigException {
        Config running = parse("storage: {path: /a}\n" + ONE_TARGET);
        Config next = parse("storage: {path: /b}\n" + ONE_TARGET);

        ConfigChange change = ConfigChange.between(running, next);

        assertEquals(List.of("storage"), change.needRestart());
        assertEquals(running.storage(), change.applied().storage());
    }

    @Test
    void the_old_constructors_mean_memory_only() throws ConfigException {
        Config c = parse(ONE_TARGET);

        Config six = new Config(c.server(), c.poll(), c.retry(), c.circuitBreaker(), c.targets(), c.alerting());
        Config eight = new Config(c.server(), c.poll(), c.retry(), c.circuitBreaker(), c.targets(), c.alerting(),
                c.targetsFile(), c.shard());

        assertEquals(Config.Storage.defaults(), six.storage());
        assertEquals(c, eight);
    }
}
