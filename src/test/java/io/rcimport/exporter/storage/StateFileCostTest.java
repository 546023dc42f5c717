package io.rcimport.exporter.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rcimport.exporter.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the state file costs at 1,000 targets with typical content (20 progress samples and 2
 * alerts each, a few kept webhook payloads): printed for the release note, never asserted
 * (timings depend on the machine); only the round trip is checked.
 */
class StateFileCostTest {
    private static final int TARGETS = 1000;
    private static final int RUNS = 15;

    @Test
    void size_and_write_time_at_a_thousand_targets(@TempDir Path dir) throws Exception {
        SavedState state = StateFixtures.typical(TARGETS);
        StateFile file = StateFile.open(dir, TestClock.at(StateFixtures.T0));

        long[] encode = new long[RUNS];
        long[] write = new long[RUNS];
        long[] load = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            StateFile.encode(state);
            long t1 = System.nanoTime();
            file.write(state);
            long t2 = System.nanoTime();
            SavedState back = file.load().kept().orElseThrow();
            long t3 = System.nanoTime();
            encode[i] = t1 - t0;
            write[i] = t2 - t1;
            load[i] = t3 - t2;
            if (i == 0) {
                assertEquals(state, back);
            }
        }
        long bytes = Files.size(file.path());
        System.out.printf("state file at %d targets (20 samples, 2 alerts each): %,d bytes (%.1f KiB, %,d bytes a target);"
                        + " median of %d after warm-up: encode %.1f ms, write (encode + fsync + rename) %.1f ms, load %.1f ms%n",
                TARGETS, bytes, bytes / 1024.0, bytes / TARGETS, RUNS, median(encode), median(write), median(load));
    }

    private static double median(long[] nanos) {
        long[] sorted = Arrays.copyOfRange(nanos, 3, nanos.length); // the first runs warm the JIT
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
