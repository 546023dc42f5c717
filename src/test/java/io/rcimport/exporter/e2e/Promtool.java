package io.rcimport.exporter.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs promtool and captures its exit code and output (stdout and stderr together). */
final class Promtool {
    record Result(String command, int exitCode, String output) {
        @Override
        public String toString() {
            return "$ " + command + "\n" + output + (output.endsWith("\n") || output.isEmpty() ? "" : "\n") + "(exit " + exitCode + ")";
        }
    }

    private final Path binary;
    private final Path workingDir;

    Promtool(Path binary, Path workingDir) {
        this.binary = binary;
        this.workingDir = workingDir;
    }

    Result run(List<String> args) throws IOException, InterruptedException {
        return run(args, null);
    }

    /** {@code promtool args...}, with {@code stdin} (if not null) piped in. */
    Result run(List<String> args, byte[] stdin) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workingDir.toFile()).redirectErrorStream(true);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                return ("(reading output failed: " + e + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        if (stdin != null) {
            try (OutputStream o = p.getOutputStream()) {
                o.write(stdin);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool " + args + " did not finish within 60 s");
        }
        String output = new String(out.join(), StandardCharsets.UTF_8);
        String shown = "promtool " + String.join(" ", args) + (stdin == null ? "" : " < (stdin)");
        return new Result(shown, p.exitValue(), output);
    }
}
