package io.rcimport.exporter.deploy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * .dockerignore semantics, enough for the tests: rules in order, the last matching one wins,
 * {@code !} re-includes, a rule matching a directory matches everything below it.
 */
final class DockerIgnore {
    private record Rule(PathMatcher matcher, boolean include) {
    }

    private final List<Rule> rules = new ArrayList<>();

    DockerIgnore(String text) {
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean include = line.startsWith("!");
            String pattern = (include ? line.substring(1) : line).strip();
            while (pattern.startsWith("/")) {
                pattern = pattern.substring(1);
            }
            while (pattern.endsWith("/")) {
                pattern = pattern.substring(0, pattern.length() - 1);
            }
            rules.add(new Rule(FileSystems.getDefault().getPathMatcher("glob:" + pattern), include));
        }
    }

    /** Whether a path (relative to the build context) is sent to the Docker daemon. */
    boolean sends(String relativePath) {
        Path path = Path.of(relativePath).normalize();
        boolean excluded = false;
        for (Rule rule : rules) {
            for (Path p = path; p != null; p = p.getParent()) {
                if (rule.matcher().matches(p)) {
                    excluded = !rule.include();
                    break;
                }
            }
        }
        return !excluded;
    }
}
