package io.rcimport.exporter.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The Prometheus, promtool and Alertmanager executables, found on {@code PATH}. */
record Binaries(Path prometheus, Path promtool, Path alertmanager) {

    /** All three, or what is missing as a sentence for a skip or failure message. */
    static Binaries find() {
        Optional<Path> prometheus = onPath("prometheus");
        Optional<Path> promtool = onPath("promtool");
        // Debian names it prometheus-alertmanager; the upstream tarball alertmanager.
        Optional<Path> alertmanager = onPath("prometheus-alertmanager").or(() -> onPath("alertmanager"));
        List<String> missing = new ArrayList<>();
        prometheus.ifPresentOrElse(p -> { }, () -> missing.add("prometheus"));
        promtool.ifPresentOrElse(p -> { }, () -> missing.add("promtool"));
        alertmanager.ifPresentOrElse(p -> { }, () -> missing.add("prometheus-alertmanager"));
        if (!missing.isEmpty()) {
            throw new Missing("the end-to-end test needs " + String.join(", ", missing) + " on PATH (" + System.getenv("PATH")
                    + "); install the Debian packages prometheus and prometheus-alertmanager (.ci/run does)");
        }
        return new Binaries(prometheus.get(), promtool.get(), alertmanager.get());
    }

    /** Thrown by {@link #find()}; the message says which and how to get them. */
    static final class Missing extends RuntimeException {
        Missing(String message) {
            super(message);
        }
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
