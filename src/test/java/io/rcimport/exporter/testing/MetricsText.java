package io.rcimport.exporter.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format (0.0.4) and OpenMetrics text (1.0.0), enough to
 * check that an exposition is well formed and to look samples up by name and labels.
 */
public final class MetricsText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
            "^(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*)?\\})? (\\S+)$");
    private static final Pattern LABEL_PAIR = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TYPE = Pattern.compile("^# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped|unknown|info|stateset|gaugehistogram)$");
    private static final Pattern HELP = Pattern.compile("^# HELP (" + NAME + ") .*$");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private MetricsText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /**
     * Parses and validates: every line is a comment of a known kind or a sample without a
     * timestamp, every sample belongs to a family declared by a preceding {@code # TYPE}, no
     * family is declared twice, the body ends with a newline, and OpenMetrics ends with {@code # EOF}.
     */
    public static MetricsText parse(String body, boolean openMetrics) {
        if (!body.endsWith("\n")) {
            throw new AssertionError("exposition does not end with a newline");
        }
        String[] lines = body.split("\n", -1);
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> helps = new HashSet<>();
        int end = lines.length - 1; // the empty string after the final newline
        if (openMetrics) {
            if (!"# EOF".equals(lines[end - 1])) {
                throw new AssertionError("OpenMetrics exposition does not end with # EOF");
            }
            end--;
        }
        for (int i = 0; i < end; i++) {
            String line = lines[i];
            int n = i + 1;
            if (line.startsWith("#")) {
                Matcher t = TYPE.matcher(line);
                if (t.matches()) {
                    if (types.put(t.group(1), t.group(2)) != null) {
                        throw new AssertionError("line " + n + ": family declared twice: " + line);
                    }
                    continue;
                }
                Matcher h = HELP.matcher(line);
                if (h.matches()) {
                    if (!helps.add(h.group(1))) {
                        throw new AssertionError("line " + n + ": HELP given twice: " + line);
                    }
                    continue;
                }
                if (line.equals("# EOF")) {
                    throw new AssertionError("line " + n + ": # EOF before the end" + (openMetrics ? "" : " of a text 0.0.4 body"));
                }
                throw new AssertionError("line " + n + ": unexpected comment: " + line);
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("line " + n + ": not a sample (or carries a timestamp): " + line);
            }
            String name = m.group(1);
            if (family(name, types).isEmpty()) {
                throw new AssertionError("line " + n + ": sample without a preceding # TYPE: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher lp = LABEL_PAIR.matcher(m.group(2));
                while (lp.find()) {
                    if (labels.put(lp.group(1), lp.group(2)) != null) {
                        throw new AssertionError("line " + n + ": label repeated: " + line);
                    }
                }
            }
            samples.add(new Sample(name, labels, value(m.group(3), n)));
        }
        return new MetricsText(List.copyOf(samples), types);
    }

    private static Optional<String> family(String sampleName, Map<String, String> types) {
        if (types.containsKey(sampleName)) {
            return Optional.of(sampleName);
        }
        for (String suffix : new String[] {"_total", "_created", "_bucket", "_sum", "_count", "_info", "_gsum", "_gcount"}) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if (types.containsKey(base)) {
                    return Optional.of(base);
                }
            }
        }
        return Optional.empty();
    }

    private static double value(String s, int line) {
        switch (s) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new AssertionError("line " + line + ": value is not a number: " + s);
                }
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    public Map<String, String> types() {
        return types;
    }

    /** Samples with this exact name whose labels include all of {@code labels} (key, value, key, value …). */
    public List<Sample> find(String name, String... labels) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                out.add(s);
            }
        }
        return out;
    }

    /** The value of the one sample that matches; fails if there is none or more than one. */
    public double value(String name, String... labels) {
        List<Sample> found = find(name, labels);
        if (found.size() != 1) {
            throw new AssertionError("expected one sample " + name + " " + List.of(labels) + ", found " + found);
        }
        return found.get(0).value();
    }

    public boolean has(String name, String... labels) {
        return !find(name, labels).isEmpty();
    }
}
