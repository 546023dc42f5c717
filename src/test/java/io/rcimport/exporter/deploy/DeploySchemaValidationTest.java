package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every Compose file and Kubernetes manifest under deploy/ against the real schemas
 * (scripts/container/validate-deploy.mjs: the Compose spec's JSON schema in deploy/schemas/,
 * Kubernetes' OpenAPI and prometheus-operator's CRD schemas from npm kubernetes-models), and
 * proof that the validator catches a broken field: each deliberately broken copy must fail,
 * with the field named in the message.
 *
 * Needs node and the npm packages of package-lock.json ({@code npm ci}, which .ci/run does):
 * skipped without them on a developer machine, a failure under CI=true.
 */
class DeploySchemaValidationTest {
    private static final String VALIDATOR = "scripts/container/validate-deploy.mjs";

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsNodeAndPackages() {
        boolean ready = Repo.onPath("node")
                && Files.isDirectory(Repo.ROOT.resolve("node_modules/kubernetes-models"))
                && Files.isDirectory(Repo.ROOT.resolve("node_modules/@kubernetes-models/prometheus-operator"))
                && Files.isDirectory(Repo.ROOT.resolve("node_modules/ajv"));
        if (!ready && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI: node and the npm packages are needed (run `npm ci` before `mvn verify`)");
        }
        assumeTrue(ready, "needs node and `npm ci` (package-lock.json): deploy/ schema validation skipped");
    }

    private static Repo.Run validate(List<String> files) {
        List<String> command = new ArrayList<>(List.of("node", VALIDATOR));
        command.addAll(files);
        return Repo.run(command, Map.of());
    }

    @Test
    void everyDeployFileIsValid() {
        Repo.Run run = validate(List.of());
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        // All of them were looked at: both Compose files and every Kubernetes manifest.
        assertTrue(run.stdout().contains("ok   deploy/docker-compose.yml (compose)"), run.stdout());
        assertTrue(run.stdout().contains("ok   deploy/compose/demo.yml (compose)"), run.stdout());
        for (Path manifest : Repo.filesUnder("deploy/kubernetes", ".yaml", ".yml")) {
            String rel = Repo.ROOT.relativize(manifest).toString();
            assertTrue(run.stdout().contains("ok   " + rel + " (kubernetes)"), rel + " not validated:\n" + run.stdout());
        }
    }

    /** file, the text replaced, its broken replacement, what the error must name. */
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        // a misspelt optional field (Kubernetes' strict field validation rejects it)
        "deploy/kubernetes/deployment.yaml|readOnlyRootFilesystem: true|readOnlyRootFilesystm: true|securityContext/readOnlyRootFilesystm is not a field",
        // a wrong type
        "deploy/kubernetes/statefulset-sharded.yaml|replicas: 2 |replicas: \"two\" |/spec/replicas must be integer",
        // a required field misspelt
        "deploy/kubernetes/service.yaml|port: 9467|prot: 9467|/spec/ports/0 must have required property port",
        // prometheus-operator CRD: a misspelt field and a wrong type
        "deploy/kubernetes/servicemonitor.yaml|interval: 15s|intervall: 15s|/spec/endpoints/0/intervall is not a field",
        "deploy/kubernetes/prometheusrule.yaml|      rules:|      rulez:|/spec/groups/0/rulez is not a field",
        // Compose spec: a misspelt service key and a wrong type
        "deploy/docker-compose.yml|    read_only: true|    read_onyl: true|additional properties: 'read_onyl'",
        "deploy/docker-compose.yml|    cap_drop: [ALL]|    cap_drop: ALL|/services/agent/cap_drop must be array",
    })
    void aBrokenFieldFails(String file, String original, String broken, String expected) throws IOException {
        String text = Repo.read(file);
        assertTrue(text.contains(original), file + " no longer contains '" + original + "': update this test");
        Path copy = tmp.resolve(Path.of(file).getFileName().toString());
        Files.writeString(copy, text.replaceFirst(java.util.regex.Pattern.quote(original),
                java.util.regex.Matcher.quoteReplacement(broken)));
        Repo.Run run = validate(List.of(copy.toString()));
        assertEquals(1, run.exitCode(), "the broken copy passed:\n" + run.stdout() + run.stderr());
        assertTrue(run.stdout().contains(expected), "expected '" + expected + "' in:\n" + run.stdout());
    }

    @Test
    void aKindWithoutSchemaIsAnErrorNotAPass() throws IOException {
        Path copy = tmp.resolve("unknown-kind.yaml");
        Files.writeString(copy, "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
        Repo.Run run = validate(List.of(copy.toString()));
        assertEquals(1, run.exitCode(), run.stdout());
        assertTrue(run.stdout().contains("no schema for apiVersion 'example.com/v1' kind 'Widget'"), run.stdout());
    }
}
