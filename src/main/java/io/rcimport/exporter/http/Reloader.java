package io.rcimport.exporter.http;

/** Re-reads the configuration ({@code POST /-/reload}, SIGHUP, a changed targets file). */
@FunctionalInterface
public interface Reloader {
    /** The outcome: applied, or rejected with the reason (the old configuration stays). */
    record Result(boolean applied, String message) {
    }

    Result reload();
}
