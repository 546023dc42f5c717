package io.rcimport.exporter.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Dockerfile parser for the invariants the tests check: comments and parser
 * directives dropped, continuation lines joined, instructions grouped into stages by FROM.
 * {@link #instructions()} has them all, ARGs before the first FROM included.
 */
record Dockerfile(List<Instruction> instructions, List<Stage> stages) {

    record Instruction(String keyword, String arguments, int line) {
        /** The exec form {@code ["a", "b"]} as a list; empty when the shell form is used. */
        Optional<List<String>> execForm() {
            String args = arguments.trim();
            if (!args.startsWith("[")) {
                return Optional.empty();
            }
            try {
                return Optional.of(Repo.JSON.readValue(args, new TypeReference<List<String>>() { }));
            } catch (IOException e) {
                throw new UncheckedIOException("line " + line + ": bad exec form " + args, e);
            }
        }

        /** Flags such as {@code --from=build} at the front of the arguments. */
        Map<String, String> flags() {
            Map<String, String> flags = new LinkedHashMap<>();
            for (String word : words()) {
                if (!word.startsWith("--")) {
                    break;
                }
                int eq = word.indexOf('=');
                flags.put(eq < 0 ? word.substring(2) : word.substring(2, eq), eq < 0 ? "" : word.substring(eq + 1));
            }
            return flags;
        }

        /** The arguments split on white space, leading {@code --flags} included. */
        List<String> words() {
            return List.of(arguments.trim().split("\\s+"));
        }

        /** The arguments after the leading {@code --flags}. */
        List<String> operands() {
            List<String> words = words();
            int i = 0;
            while (i < words.size() && words.get(i).startsWith("--")) {
                i++;
            }
            return words.subList(i, words.size());
        }

        /** ENV and ARG: name to value ({@code null} for an ARG without a default). */
        Map<String, String> variables() {
            Map<String, String> vars = new LinkedHashMap<>();
            String args = arguments.trim();
            if (keyword.equals("ENV") && !args.contains("=")) {
                String[] legacy = args.split("\\s+", 2); // ENV NAME value
                vars.put(legacy[0], legacy.length > 1 ? legacy[1] : "");
                return vars;
            }
            Matcher m = ASSIGNMENT.matcher(args);
            while (m.find()) {
                String value = m.group(2);
                if (value != null && value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                vars.put(m.group(1), value);
            }
            return vars;
        }

        private static final Pattern ASSIGNMENT =
                Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]*)(?:=(\"[^\"]*\"|'[^']*'|\\S*))?");
    }

    record Stage(String image, Optional<String> name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }
    }

    static Dockerfile parse(String text) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        int startLine = 0;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].stripTrailing();
            if (pending.isEmpty() && (line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue; // blank, comment or parser directive
            }
            if (!pending.isEmpty() && line.stripLeading().startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (pending.isEmpty()) {
                startLine = n + 1;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String joined = pending.toString().strip();
            pending.setLength(0);
            String[] parts = joined.split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "", startLine));
        }
        List<Stage> stages = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                List<String> words = i.operands();
                Optional<String> name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")
                        ? Optional.of(words.get(2)) : Optional.empty();
                stages.add(new Stage(words.get(0), name, new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(i);
            } else if (!i.keyword().equals("ARG")) {
                throw new IllegalArgumentException("line " + i.line() + ": " + i.keyword() + " before the first FROM");
            }
        }
        return new Dockerfile(List.copyOf(instructions), stages);
    }

    Stage runtime() {
        return stages.get(stages.size() - 1);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(Optional.of(name))).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named " + name));
    }
}
