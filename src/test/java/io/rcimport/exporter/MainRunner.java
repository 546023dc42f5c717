package io.rcimport.exporter;

import java.io.PrintStream;
import java.util.Map;

/** {@link Main#run} for tests in other packages: the command line with its output streams and environment. */
public final class MainRunner {
    private MainRunner() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return Main.run(args, out, err, env);
    }
}
