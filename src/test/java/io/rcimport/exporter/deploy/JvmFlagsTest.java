package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rcimport.exporter.deploy.Dockerfile.Instruction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM flags are written once, in bin/jvm.options (a java launcher argument file), and used
 * by the Docker image, bin/run and the sharded StatefulSet. These tests expand each one's java
 * command and compare.
 */
class JvmFlagsTest {
    private static final String IMAGE_FLAG_FILE = "/app/jvm.options";

    @TempDir
    static Path tmp;
    private static Path fakeJavaDir;

    @BeforeAll
    static void fake_java() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        fakeJavaDir = Files.createDirectories(tmp.resolve("fake-bin"));
        Path java = fakeJavaDir.resolve("java");
        // prints SHARD_INDEX, then every argument on a line of its own
        Files.writeString(java, "#!/bin/sh\necho \"SHARD_INDEX=${SHARD_INDEX:-}\"\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The flags of a java launcher argument file: '#' comments dropped, split on white space. */
    static List<String> argumentFile(String text) {
        List<String> flags = new ArrayList<>();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String content = hash < 0 ? line : line.substring(0, hash);
            assertFalse(content.contains("\"") || content.contains("'") || content.contains("\\"),
                    "keep jvm.options free of quotes and escapes (this reader does not handle them): " + line);
            Stream.of(content.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(flags::add);
        }
        return flags;
    }

    static List<String> jvmOptions() {
        return argumentFile(Repo.read("bin/jvm.options"));
    }

    /** A java command line with its {@code @file} arguments replaced by their flags, up to {@code -jar}. */
    private static List<String> flagsOf(List<String> javaArgs, Map<String, String> argumentFiles) {
        List<String> flags = new ArrayList<>();
        for (String arg : javaArgs) {
            if (arg.equals("-jar")) {
                return flags;
            }
            if (arg.startsWith("@")) {
                String file = argumentFiles.get(arg.substring(1));
                assertTrue(file != null, "unknown argument file " + arg);
                flags.addAll(argumentFile(Repo.read(file)));
            } else {
                flags.add(arg);
            }
        }
        throw new AssertionError("no -jar in " + javaArgs);
    }

    private static List<String> dockerEntrypoint() {
        return DockerfileTest.dockerfile().runtime().last("ENTRYPOINT").flatMap(Instruction::execForm).orElseThrow();
    }

    private static List<String> dockerCmd() {
        return DockerfileTest.dockerfile().runtime().last("CMD").flatMap(Instruction::execForm).orElseThrow();
    }

    /** What bin/run executes: the fake java prints it. */
    private static List<String> binRunCommand(String... args) throws IOException {
        Path jar = Files.writeString(tmp.resolve("agent.jar"), "not really a jar");
        List<String> command = new ArrayList<>(List.of("/bin/sh", "bin/run"));
        command.addAll(List.of(args));
        Repo.Run run = Repo.run(command, Map.of("JAVA", fakeJavaDir.resolve("java").toString(), "RCIE_JAR", jar.toString()));
        assertEquals(0, run.exitCode(), run.stderr());
        List<String> lines = run.stdout().lines().toList();
        return lines.subList(1, lines.size());
    }

    @Test
    void the_flag_file_holds_the_small_footprint_flags() {
        List<String> flags = jvmOptions();
        assertTrue(flags.stream().anyMatch(f -> f.startsWith("-Xmx")), flags.toString());
        assertTrue(flags.contains("-XX:+UseSerialGC"), flags.toString());
        assertTrue(flags.contains("-XX:+ExitOnOutOfMemoryError"), "an agent out of memory must exit and be restarted");
        assertEquals(flags.size(), flags.stream().distinct().count(), "a flag twice: " + flags);
        assertTrue(flags.stream().allMatch(f -> f.startsWith("-")), flags.toString());
    }

    @Test
    void the_jvm_accepts_every_flag_in_the_file() {
        Repo.Run run = Repo.run(List.of(Repo.javaLauncher(), "@bin/jvm.options", "-version"), Map.of());
        assertEquals(0, run.exitCode(), "java @bin/jvm.options -version failed: " + run.stderr());
        assertFalse(run.stderr().contains("Unrecognized") || run.stderr().contains("warning"), run.stderr());
    }

    @Test
    void the_docker_image_and_bin_run_use_the_same_jvm_flags() throws IOException {
        List<String> docker = flagsOf(dockerEntrypoint().subList(1, dockerEntrypoint().size()),
                Map.of(IMAGE_FLAG_FILE, "bin/jvm.options"));
        String binDir = Repo.ROOT.resolve("bin").toString();
        List<String> binRun = flagsOf(binRunCommand("--config", "config.yaml"),
                Map.of(binDir + "/jvm.options", "bin/jvm.options"));
        assertEquals(jvmOptions(), docker);
        assertEquals(docker, binRun);
    }

    @Test
    void bin_run_passes_every_argument_to_the_agent_unchanged() throws IOException {
        List<String> command = binRunCommand("--config", "my config.yaml", "--check-config");
        int jar = command.indexOf("-jar");
        assertEquals(tmp.resolve("agent.jar").toString(), command.get(jar + 1));
        assertEquals(List.of("--config", "my config.yaml", "--check-config"), command.subList(jar + 2, command.size()));
    }

    @Test
    void bin_run_without_a_built_jar_says_how_to_build_it() {
        Repo.Run run = Repo.run(List.of("/bin/sh", "bin/run", "--demo"),
                Map.of("RCIE_JAR", tmp.resolve("missing.jar").toString()));
        assertEquals(1, run.exitCode());
        assertTrue(run.stderr().contains("mvn -B -q package -DskipTests"), run.stderr());
    }

    @Test
    void bin_run_is_executable_in_git() {
        assertTrue(Files.isExecutable(Repo.file("bin/run")), "chmod +x bin/run");
        assertTrue(Files.isExecutable(Repo.file("deploy/kubernetes/generate-prometheusrule.sh")));
    }

    @Test
    void the_sharded_statefulset_derives_the_shard_index_and_runs_the_images_java_command() {
        Repo.Run run = runShardScript("rocketchat-import-exporter-sharded-1");
        assertEquals(0, run.exitCode(), run.stderr());
        List<String> lines = run.stdout().lines().toList();
        assertEquals("SHARD_INDEX=1", lines.get(0));
        List<String> expected = new ArrayList<>(dockerEntrypoint().subList(1, dockerEntrypoint().size()));
        expected.addAll(dockerCmd());
        assertEquals(expected, lines.subList(1, lines.size()), "the StatefulSet's java command must be the image's");

        assertEquals("SHARD_INDEX=12", runShardScript("a-b-12").stdout().lines().findFirst().orElseThrow());
    }

    @Test
    void the_sharded_statefulset_refuses_a_pod_name_without_an_ordinal() {
        for (String podName : List.of("no-ordinal-here", "")) {
            Repo.Run run = runShardScript(podName);
            assertEquals(1, run.exitCode(), podName);
            assertTrue(run.stderr().contains("cannot take a shard index from POD_NAME"), run.stderr());
        }
    }

    private static Repo.Run runShardScript(String podName) {
        JsonNode container = Repo.manifest("deploy/kubernetes/statefulset-sharded.yaml", "StatefulSet",
                "rocketchat-import-exporter-sharded").path("spec").path("template").path("spec").path("containers").get(0);
        List<String> command = new ArrayList<>();
        container.path("command").forEach(c -> command.add(c.asText()));
        container.path("args").forEach(c -> command.add(c.asText()));
        assertEquals(List.of("/bin/sh", "-c"), command.subList(0, 2));
        return Repo.run(command, Map.of("POD_NAME", podName,
                "PATH", fakeJavaDir + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
    }
}
