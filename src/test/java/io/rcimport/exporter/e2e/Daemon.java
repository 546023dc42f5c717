package io.rcimport.exporter.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A child process (Prometheus, Alertmanager) listening on a loopback port picked at runtime,
 * its output appended to a log file. {@link #close()} stops it: SIGTERM, then SIGKILL.
 */
final class Daemon implements AutoCloseable {
    private static final int ATTEMPTS = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    final Path log;
    private final Process process;

    private Daemon(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts {@code command(port)} on a free port and waits until {@code readyPath} answers 200.
     * Another process can grab the port between picking and binding; then it tries a new one.
     */
    static Daemon start(String name, IntFunction<List<String>> command, String readyPath, Path log, Duration readyWithin)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        String failure = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = freePort();
            List<String> cmd = command.apply(port);
            Files.writeString(log, "\n==== attempt " + attempt + ": " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            Daemon daemon = new Daemon(name, port, log, process);
            if (daemon.awaitReady(readyPath, readyWithin)) {
                return daemon;
            }
            boolean died = !process.isAlive();
            daemon.close();
            failure = died ? "exited with " + process.exitValue() : "not ready within " + readyWithin.toSeconds() + "s";
            if (!died) {
                break; // slow, not a port clash: retrying would only double the wait
            }
        }
        throw new IllegalStateException(name + " did not start (" + failure + "); its log: " + log.toAbsolutePath()
                + "\n" + tail(log, 30));
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    private boolean awaitReady(String path, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        URI ready = url().resolve(path);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** SIGTERM, up to 10 s for a clean exit, then SIGKILL. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
