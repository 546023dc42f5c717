package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.deploy.Dockerfile.Instruction;
import io.rcimport.exporter.deploy.Dockerfile.Stage;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DockerfileTest {
    static final String IMAGE_JAR = "/app/rocketchat-import-exporter.jar";
    static final String IMAGE_CONFIG = "/etc/rocketchat-import-exporter/config.yaml";

    private final Dockerfile dockerfile = Dockerfile.parse(Repo.read("Dockerfile"));
    private final Stage build = dockerfile.stage("build");
    private final Stage runtime = dockerfile.runtime();

    static Dockerfile dockerfile() {
        return Dockerfile.parse(Repo.read("Dockerfile"));
    }

    @Test
    void it_is_multi_stage_maven_build_then_temurin_17_jre_runtime() {
        assertTrue(dockerfile.stages().size() >= 2, "stages: " + dockerfile.stages().size());
        assertEquals("maven:3.9-eclipse-temurin-17", build.image());
        assertEquals("eclipse-temurin:17-jre", runtime.image());
        assertNotEquals(build, runtime);
    }

    @Test
    void the_build_stage_caches_dependencies_before_copying_the_sources() {
        List<Instruction> steps = build.instructions();
        int copyPom = indexOf(steps, i -> i.keyword().equals("COPY") && i.operands().get(0).equals("pom.xml"));
        int goOffline = indexOf(steps, i -> i.keyword().equals("RUN") && i.arguments().contains("dependency:go-offline"));
        int copySrc = indexOf(steps, i -> i.keyword().equals("COPY") && i.operands().get(0).equals("src"));
        int packageRun = indexOf(steps, i -> i.keyword().equals("RUN") && i.arguments().contains(" package"));
        assertTrue(copyPom < goOffline && goOffline < copySrc && copySrc < packageRun,
                "expected COPY pom.xml, RUN go-offline, COPY src, RUN package in that order: " + steps);
        assertEquals("mvn -B -q package -DskipTests", steps.get(packageRun).arguments());
    }

    @Test
    void the_runtime_stage_runs_as_a_numeric_non_root_user() {
        Instruction user = runtime.last("USER").orElseThrow(() -> new AssertionError("the runtime stage has no USER"));
        String uid = user.arguments().trim().split(":")[0];
        assertFalse(uid.equals("0") || uid.equalsIgnoreCase("root"), "USER " + user.arguments());
        assertTrue(uid.matches("\\d+"), "USER must be numeric so Kubernetes' runAsNonRoot can verify it: " + uid);
        assertEquals("10001", uid);
        // nothing after USER switches back to root
        int userIndex = runtime.instructions().indexOf(user);
        assertTrue(runtime.instructions().subList(userIndex + 1, runtime.instructions().size()).stream()
                .noneMatch(i -> i.keyword().equals("RUN")), "no RUN after USER: it would run as the agent's user anyway");
    }

    @Test
    void the_runtime_stage_exposes_the_agents_default_port() {
        List<String> exposed = runtime.all("EXPOSE").stream().flatMap(i -> i.operands().stream()).toList();
        assertEquals(List.of(String.valueOf(Config.Server.defaults().port())), exposed);
        assertEquals(List.of("9467"), exposed);
    }

    @Test
    void the_healthcheck_runs_the_health_check_class_against_health_without_curl() {
        Instruction check = runtime.last("HEALTHCHECK").orElseThrow(() -> new AssertionError("no HEALTHCHECK"));
        assertTrue(check.operands().get(0).equals("CMD"), "HEALTHCHECK " + check.arguments());
        String exec = check.arguments().substring(check.arguments().indexOf("CMD") + 3).trim();
        List<String> command = new Instruction("CMD", exec, check.line()).execForm()
                .orElseThrow(() -> new AssertionError("HEALTHCHECK CMD should be the exec form (no shell needed)"));
        assertEquals("java", command.get(0));
        assertEquals(IMAGE_JAR, command.get(command.indexOf("-cp") + 1));
        assertEquals("io.rcimport.exporter.HealthCheck", command.get(command.size() - 2));
        assertEquals("http://127.0.0.1:9467/health", command.get(command.size() - 1));
        assertFalse(check.arguments().contains("curl") || check.arguments().contains("wget"));
    }

    @Test
    void the_health_check_class_named_in_the_dockerfile_is_on_the_classpath_with_a_main_method() throws Exception {
        Instruction check = runtime.last("HEALTHCHECK").orElseThrow();
        String className = check.arguments().replaceAll("(?s).*\"(io\\.rcimport\\.[A-Za-z0-9_.]+)\".*", "$1");
        Class<?> type = Class.forName(className);
        Method main = type.getMethod("main", String[].class);
        assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()));
    }

    @Test
    void the_jar_copied_from_the_build_stage_is_the_poms_final_name() {
        Instruction copy = runtime.all("COPY").stream().filter(i -> "build".equals(i.flags().get("from"))).findFirst()
                .orElseThrow(() -> new AssertionError("no COPY --from=build in the runtime stage"));
        String workdir = build.last("WORKDIR").orElseThrow().arguments().trim();
        String expected = workdir + "/target/" + Repo.pomBuildFinalName() + ".jar";
        assertEquals(expected, copy.operands().get(0));
        assertTrue(copy.operands().get(0).endsWith("target/rocketchat-import-exporter.jar"));
        assertEquals(IMAGE_JAR, copy.operands().get(1));
    }

    @Test
    void entrypoint_runs_the_jar_with_the_jvm_flag_file_and_cmd_passes_the_config() {
        List<String> entrypoint = runtime.last("ENTRYPOINT").flatMap(Instruction::execForm)
                .orElseThrow(() -> new AssertionError("ENTRYPOINT must be the exec form, so java is PID 1 and gets SIGTERM"));
        assertEquals(List.of("java", "@/app/jvm.options", "-jar", IMAGE_JAR), entrypoint);
        List<String> cmd = runtime.last("CMD").flatMap(Instruction::execForm).orElseThrow();
        assertEquals(List.of("--config", IMAGE_CONFIG), cmd);
        assertEquals(Optional.of("bin/jvm.options"), copySourceOf("/app/jvm.options"));
        assertEquals(Optional.of("deploy/docker/config.yaml"), copySourceOf(IMAGE_CONFIG));
    }

    @Test
    void no_env_or_arg_bakes_in_a_token_password_or_secret() {
        for (Instruction i : dockerfile.instructions()) {
            if (!i.keyword().equals("ENV") && !i.keyword().equals("ARG")) {
                continue;
            }
            for (Map.Entry<String, String> v : i.variables().entrySet()) {
                String name = v.getKey().toUpperCase(Locale.ROOT);
                boolean sensitive = name.contains("TOKEN") || name.contains("PASSWORD") || name.contains("SECRET");
                boolean hasValue = v.getValue() != null && !v.getValue().isEmpty();
                assertFalse(sensitive && (hasValue || i.keyword().equals("ENV")),
                        "line " + i.line() + ": " + i.keyword() + " " + v.getKey() + " would be stored in the image");
            }
        }
    }

    @Test
    void the_secret_check_recognises_env_and_arg_forms() {
        Dockerfile bad = Dockerfile.parse("""
                ARG GLOBAL_TOKEN=abc
                FROM x
                ENV RC_AUTH_TOKEN=abc OTHER=1
                ENV DB_PASSWORD hunter2
                ARG API_SECRET="s3cr3t"
                ARG BUILD_SECRET
                """);
        List<String> found = bad.instructions().stream()
                .flatMap(i -> i.variables().entrySet().stream()
                        .filter(e -> e.getValue() != null && !e.getValue().isEmpty())
                        .map(e -> i.keyword() + " " + e.getKey() + "=" + e.getValue()))
                .toList();
        assertEquals(List.of("ARG GLOBAL_TOKEN=abc", "ENV RC_AUTH_TOKEN=abc", "ENV OTHER=1",
                "ENV DB_PASSWORD=hunter2", "ARG API_SECRET=s3cr3t"), found);
    }

    @Test
    void oci_labels_name_the_image_and_its_version_matches_the_pom() {
        String labels = String.join(" ", runtime.all("LABEL").stream().map(Instruction::arguments).toList());
        for (String key : List.of("title", "description", "version", "revision", "created")) {
            assertTrue(labels.contains("org.opencontainers.image." + key + "="), "missing OCI label " + key);
        }
        String version = runtime.all("ARG").stream().map(i -> i.variables().get("VERSION"))
                .filter(v -> v != null).findFirst().orElseThrow(() -> new AssertionError("no ARG VERSION"));
        assertEquals(Repo.pomVersion(), version, "ARG VERSION's default must follow pom.xml's <version>");
    }

    @Test
    void everything_copied_from_the_build_context_exists_and_passes_dockerignore() {
        DockerIgnore ignore = new DockerIgnore(Repo.read(".dockerignore"));
        int checked = 0;
        for (Instruction copy : dockerfile.instructions()) {
            if (!(copy.keyword().equals("COPY") || copy.keyword().equals("ADD")) || copy.flags().containsKey("from")) {
                continue;
            }
            List<String> operands = copy.operands();
            for (String source : operands.subList(0, operands.size() - 1)) {
                assertTrue(Files.exists(Repo.ROOT.resolve(source)), "COPY source " + source + " is not in the repository");
                assertTrue(ignore.sends(source), ".dockerignore leaves out " + source + ", which the Dockerfile copies");
                checked++;
            }
        }
        assertTrue(checked >= 4, "COPY sources checked: " + checked);
    }

    @Test
    void dockerignore_keeps_local_build_output_and_secrets_out_of_the_context() {
        DockerIgnore ignore = new DockerIgnore(Repo.read(".dockerignore"));
        for (String path : List.of("target/rocketchat-import-exporter.jar", ".git/config", "deploy/compose/.env",
                ".idea/workspace.xml", "README.md")) {
            assertFalse(ignore.sends(path), path + " should not reach the build context");
        }
        for (String path : List.of("pom.xml", "src/main/java/io/rcimport/exporter/Main.java", "bin/jvm.options")) {
            assertTrue(ignore.sends(path), path + " must reach the build context");
        }
    }

    @Test
    void the_image_config_file_listens_where_the_healthcheck_and_expose_look() {
        var server = Repo.yaml("deploy/docker/config.yaml").path("server");
        assertEquals("0.0.0.0", server.path("host").asText());
        assertEquals(9467, server.path("port").asInt());
    }

    private Optional<String> copySourceOf(String destination) {
        return runtime.all("COPY").stream()
                .filter(i -> !i.flags().containsKey("from"))
                .filter(i -> i.operands().get(i.operands().size() - 1).equals(destination))
                .map(i -> i.operands().get(0))
                .findFirst();
    }

    private static int indexOf(List<Instruction> steps, java.util.function.Predicate<Instruction> p) {
        for (int i = 0; i < steps.size(); i++) {
            if (p.test(steps.get(i))) {
                return i;
            }
        }
        fail("no matching instruction in " + steps);
        return -1;
    }
}
