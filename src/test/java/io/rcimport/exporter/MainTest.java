package io.rcimport.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void common_pool_parallelism_is_raised_to_two_on_small_machines_unless_set_explicitly() {
        String before = System.getProperty(Main.COMMON_POOL_PARALLELISM);
        try {
            System.setProperty(Main.COMMON_POOL_PARALLELISM, "5");
            Main.useCommonPoolThreads();
            assertEquals("5", System.getProperty(Main.COMMON_POOL_PARALLELISM));

            System.clearProperty(Main.COMMON_POOL_PARALLELISM);
            Main.useCommonPoolThreads();
            String expected = Runtime.getRuntime().availableProcessors() <= 2 ? "2" : null;
            assertEquals(expected, System.getProperty(Main.COMMON_POOL_PARALLELISM));
        } finally {
            if (before == null) {
                System.clearProperty(Main.COMMON_POOL_PARALLELISM);
            } else {
                System.setProperty(Main.COMMON_POOL_PARALLELISM, before);
            }
        }
    }

    @Test
    void help_prints_usage_and_exits_0() {
        assertEquals(0, run(Map.of(), "--help"));
        assertTrue(stdout().contains("--check-config"));
    }

    @Test
    void version_prints_the_build_version() {
        assertEquals(0, run(Map.of(), "--version"));
        assertTrue(stdout().startsWith("rocketchat-import-exporter "), stdout());
        assertFalse(stdout().contains("unknown"), "version comes from the filtered resource: " + stdout());
    }

    @Test
    void an_unknown_flag_is_a_usage_error_with_exit_2() {
        assertEquals(2, run(Map.of(), "--confg", "x.yaml"));
        assertTrue(stderr().contains("unknown argument: --confg"), stderr());
    }

    @Test
    void neither_config_nor_demo_is_a_usage_error() {
        assertEquals(2, run(Map.of()));
        assertTrue(stderr().contains("--config FILE or --demo is required"), stderr());
    }

    @Test
    void config_without_a_file_name_is_a_usage_error() {
        assertEquals(2, run(Map.of(), "--config"));
    }

    @Test
    void a_missing_config_file_exits_1() {
        assertEquals(1, run(Map.of(), "--config", "/nonexistent/config.yaml", "--check-config"));
        assertTrue(stderr().startsWith("configuration error:"), stderr());
    }

    @Test
    void a_bad_config_exits_1_naming_the_key(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "poll:\n  intervall: 15s\ntargets:\n  - name: a\n    url: http://x\n    user_id: u\n    auth_token: t\n");
        assertEquals(1, run(Map.of(), "--config", file.toString(), "--check-config"));
        assertTrue(stderr().contains("poll.intervall"), stderr());
    }

    @Test
    void a_port_already_in_use_exits_1_instead_of_running_without_a_server(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path file = dir.resolve("c.yaml");
            Files.writeString(file, "server:\n  host: 127.0.0.1\n  port: " + taken.getLocalPort()
                    + "\ntargets:\n  - name: a\n    url: http://127.0.0.1:9\n    user_id: u\n    auth_token: t\n");
            int code = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(Map.of(), "--config", file.toString()));
            assertEquals(1, code);
        }
    }

    @Test
    void an_unusable_storage_path_exits_1_naming_it(@TempDir Path dir) throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "server:\n  host: 127.0.0.1\n  port: 0\nstorage:\n  path: " + blocker.resolve("state")
                + "\ntargets:\n  - name: a\n    url: http://127.0.0.1:9\n    user_id: u\n    auth_token: t\n");
        int code = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(Map.of(), "--config", file.toString()));
        assertEquals(1, code);
        assertTrue(stderr().startsWith("configuration error: storage.path: "), stderr());
        assertTrue(Files.isRegularFile(blocker), "nothing of the user's is touched");
    }

    @Test
    void check_config_prints_a_summary_without_secrets(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "targets:\n  - name: a\n    url: http://x\n    user_id: u\n    auth_token: ${TOKEN}\n");
        assertEquals(0, run(Map.of("TOKEN", "s3cr3t-token-value"), "--config", file.toString(), "--check-config"));
        assertTrue(stdout().contains("configuration OK"), stdout());
        assertFalse(stdout().contains("s3cr3t-token-value"), stdout());
        assertFalse(stderr().contains("s3cr3t-token-value"), stderr());
    }

    @Test
    void a_config_file_others_can_read_with_a_literal_token_gets_a_warning_naming_file_and_key(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "targets:\n  - name: a\n    url: http://x\n    user_id: u\n    auth_token: Lit3ral-t0ken-value\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String logged;
        try (LogCapture logs = LogCapture.start(false)) {
            assertEquals(0, run(Map.of(), "--config", file.toString(), "--check-config"));
            logged = String.join("\n", logs.lines());
        }
        assertTrue(logged.contains("WARN"), logged);
        assertTrue(logged.contains("file=" + file.toAbsolutePath().normalize()), logged);
        assertTrue(logged.contains("keys=targets[0].auth_token"), logged);
        assertFalse(logged.contains("Lit3ral-t0ken-value"), logged);
        assertFalse(stdout().contains("Lit3ral-t0ken-value") || stderr().contains("Lit3ral-t0ken-value"));
    }

    @Test
    void a_config_file_only_its_owner_can_read_gets_no_warning(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "targets:\n  - name: a\n    url: http://x\n    user_id: u\n    auth_token: Lit3ral-t0ken-value\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        String logged;
        try (LogCapture logs = LogCapture.start(false)) {
            assertEquals(0, run(Map.of(), "--config", file.toString(), "--check-config"));
            logged = String.join("\n", logs.lines());
        }
        assertFalse(logged.contains("plaintext_secrets_readable"), logged);
    }

    @Test
    void once_against_an_unreachable_target_prints_json_and_exits_3(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "poll:\n  interval: 2s\n  timeout: 500ms\nretry:\n  max_attempts: 1\n"
                + "targets:\n  - name: a\n    url: http://127.0.0.1:1\n    user_id: u\n    auth_token: t0ken-value\n");
        assertEquals(3, run(Map.of(), "--config", file.toString(), "--once"));
        assertTrue(stdout().contains("\"last_outcome\" : \"connection_error\""), stdout());
        assertFalse(stdout().contains("t0ken-value"), stdout());
    }

    @Test
    void once_against_the_demo_exits_0_with_the_demo_target() {
        assertEquals(0, run(Map.of(), "--demo", "--once"));
        assertTrue(stdout().contains("\"target\" : \"demo\""), stdout());
        assertTrue(stdout().contains("\"last_outcome\" : \"success\""), stdout());
    }
}
