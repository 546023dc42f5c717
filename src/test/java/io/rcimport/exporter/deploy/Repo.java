package io.rcimport.exporter.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** The repository's files as the deployment tests read them. Maven runs tests in the project directory. */
final class Repo {
    static final Path ROOT = Path.of("").toAbsolutePath();

    /** Strict: a key written twice in one mapping is an error, not "the last one wins". */
    static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** {@code ${NAME}} (a required variable) or {@code ${NAME:-default}}: group 1 the name, group 2 the default. */
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?}");

    private Repo() {
    }

    static Path file(String relative) {
        assertTrue(Files.isRegularFile(ROOT.resolve("pom.xml")), "tests must run in the project directory, not " + ROOT);
        Path path = ROOT.resolve(relative);
        assertTrue(Files.isRegularFile(path), relative + " is missing");
        return path;
    }

    static String read(String relative) {
        try {
            return Files.readString(file(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a YAML file ("---" separated); empty documents are skipped. */
    static List<JsonNode> yamlDocuments(Path path) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(path.toFile())) {
            List<JsonNode> result = new ArrayList<>();
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    result.add(doc);
                }
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    static JsonNode yaml(String relative) {
        List<JsonNode> docs = yamlDocuments(file(relative));
        assertTrue(docs.size() == 1, relative + " should hold one YAML document, has " + docs.size());
        return docs.get(0);
    }

    static JsonNode yamlText(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Kubernetes object of that kind and name among the documents of a manifest file. */
    static JsonNode manifest(String relative, String kind, String name) {
        return yamlDocuments(file(relative)).stream()
                .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(relative + " has no " + kind + " named " + name));
    }

    /** Every file below {@code dir} whose name ends with one of {@code suffixes}, sorted. */
    static List<Path> filesUnder(String dir, String... suffixes) {
        try (Stream<Path> walk = Files.walk(ROOT.resolve(dir))) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the {@code ${VAR}}s without a default in the values of a YAML text (comments do not count). */
    static List<String> requiredEnvVars(String yamlText) {
        List<String> names = new ArrayList<>();
        collectRequiredEnvVars(yamlText(yamlText), names);
        return names;
    }

    private static void collectRequiredEnvVars(JsonNode node, List<String> names) {
        if (node.isTextual()) {
            Matcher m = ENV_REFERENCE.matcher(node.textValue());
            while (m.find()) {
                if (m.group(2) == null && !names.contains(m.group(1))) {
                    names.add(m.group(1));
                }
            }
        }
        node.forEach(child -> collectRequiredEnvVars(child, names));
    }

    // ---- pom.xml -----------------------------------------------------------------------------

    static String pomBuildFinalName() {
        return childText(child(pom(), "build"), "finalName");
    }

    static String pomVersion() {
        return childText(pom(), "version");
    }

    private static Element pom() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(file("pom.xml").toFile());
            return doc.getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("cannot read pom.xml: " + e, e);
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                return e;
            }
        }
        throw new AssertionError("pom.xml: <" + parent.getLocalName() + "> has no <" + name + ">");
    }

    private static String childText(Element parent, String name) {
        return child(parent, name).getTextContent().trim();
    }

    // ---- processes ---------------------------------------------------------------------------

    record Run(int exitCode, String stdout, String stderr) {
    }

    /** Runs a command in the project directory with extra environment variables; 60 s at most. */
    static Run run(List<String> command, Map<String, String> env) {
        try {
            Path out = Files.createTempFile("rcie-deploy-test", ".out");
            Path err = Files.createTempFile("rcie-deploy-test", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(ROOT.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(command + " did not finish within 60 s");
                }
                return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Whether a command is on the PATH (for checks that need promtool, amtool, sh). */
    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /** The java launcher of the JVM running the tests. */
    static String javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
