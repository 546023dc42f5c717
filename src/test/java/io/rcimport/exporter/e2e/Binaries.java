package io.rcimport.exporter.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Prometheus, promtool and Alertmanager executables on {@code PATH}. With
 * {@code CI=true} a missing one fails the test run; elsewhere the end-to-end tests are skipped.
 */
final class Binaries {
    final Path prometheus;
    final Path promtool;
    final Path alertmanager;

    private Binaries(Path prometheus, Path promtool, Path alertmanager) {
        this.prometheus = prometheus;
        this.promtool = promtool;
        this.alertmanager = alertmanager;
    }

    /** All three, or a failed test (CI) / an aborted one (a developer machine without them). */
    static Binaries requireOrSkip() {
        Map<String, Optional<Path>> found = new LinkedHashMap<>();
        found.put("prometheus", onPath("prometheus"));
        found.put("promtool", onPath("promtool"));
        // Debian names it prometheus-alertmanager; the upstream tarball alertmanager.
        found.put("prometheus-alertmanager", onPath("prometheus-alertmanager").or(() -> onPath("alertmanager")));
        List<String> missing = new ArrayList<>();
        found.forEach((name, path) -> {
            if (path.isEmpty()) {
                missing.add(name);
            }
        });
        if (!missing.isEmpty()) {
            String message = "end-to-end test needs " + String.join(", ", missing) + " on PATH (" + System.getenv("PATH")
                    + "); install the Debian packages prometheus and prometheus-alertmanager (.ci/run does)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but " + message);
            }
            Assumptions.abort("skipped: " + message);
        }
        return new Binaries(found.get("prometheus").get(), found.get("promtool").get(),
                found.get("prometheus-alertmanager").get());
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
