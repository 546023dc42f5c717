package io.rcimport.exporter.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Records everything written to {@code System.err} (and, if asked, {@code System.out}) while
 * still passing it on. logback's console appender (LogConfigurator) writes through to whatever
 * {@code System.err} is at the moment of each write, so this sees every log line of every
 * logger, whichever class initialised logging first and whatever the order of test classes.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start(false)) {
 *     int mark = logs.mark();
 *     ...
 *     List<String> lines = logs.linesSince(mark);
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream originalErr;
    private final PrintStream originalOut;
    private final PrintStream teeErr;
    private final PrintStream teeOut;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream(64 * 1024);

    private LogCapture(boolean alsoStdout) {
        this.originalErr = System.err;
        this.originalOut = System.out;
        this.teeErr = new PrintStream(new Tee(originalErr), true, StandardCharsets.UTF_8);
        this.teeOut = alsoStdout ? new PrintStream(new Tee(originalOut), true, StandardCharsets.UTF_8) : null;
        System.setErr(teeErr);
        if (teeOut != null) {
            System.setOut(teeOut);
        }
    }

    /** Starts recording {@code System.err}, and {@code System.out} too if {@code alsoStdout}. */
    public static LogCapture start(boolean alsoStdout) {
        return new LogCapture(alsoStdout);
    }

    /** A position in the recording, for {@link #linesSince(int)}. */
    public int mark() {
        synchronized (captured) {
            return captured.size();
        }
    }

    /** Every complete or partial line recorded so far. */
    public List<String> lines() {
        return linesSince(0);
    }

    /** The lines recorded after {@code mark}. */
    public List<String> linesSince(int mark) {
        byte[] all;
        synchronized (captured) {
            all = captured.toByteArray();
        }
        String text = new String(all, Math.min(mark, all.length), Math.max(0, all.length - mark), StandardCharsets.UTF_8);
        return Arrays.stream(text.split("\r?\n")).filter(l -> !l.isEmpty()).toList();
    }

    /** Everything recorded, as one string. */
    public String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** Puts the original streams back (only if nobody replaced ours meanwhile). */
    @Override
    public void close() {
        if (System.err == teeErr) {
            System.setErr(originalErr);
        }
        if (teeOut != null && System.out == teeOut) {
            System.setOut(originalOut);
        }
        teeErr.flush();
    }

    private final class Tee extends OutputStream {
        private final OutputStream next;

        Tee(OutputStream next) {
            this.next = next;
        }

        @Override
        public void write(int b) {
            synchronized (captured) {
                captured.write(b);
            }
            try {
                next.write(b);
            } catch (java.io.IOException ignored) {
                // the original stream's problem; the recording is what the test needs
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (captured) {
                captured.write(b, off, len);
            }
            try {
                next.write(b, off, len);
            } catch (java.io.IOException ignored) {
                // as above
            }
        }

        @Override
        public void flush() {
            try {
                next.flush();
            } catch (java.io.IOException ignored) {
                // as above
            }
        }
    }
}
