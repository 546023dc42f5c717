package io.rcimport.exporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reloads the configuration when {@code targets_file} changes (checked every {@link #CHECK_EVERY}). */
final class TargetsFileWatch {
    /** The agent's logger: its lines read as they did before the agent was split into components. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** How often {@code targets_file} is checked for changes. */
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final Supplier<Optional<Path>> file;
    private final Runnable reload;
    /** The stamp seen at the last check; only the timer thread moves it. */
    private final AtomicReference<Optional<FileStamp>> seen;

    private TargetsFileWatch(Supplier<Optional<Path>> file, Runnable reload, Optional<FileStamp> seen) {
        this.file = file;
        this.reload = reload;
        this.seen = new AtomicReference<>(seen);
    }

    /**
     * Watches {@code file} (the running configuration's {@code targets_file}, read at every check)
     * and calls {@code reload} when its size or modification time changes.
     */
    static void start(Supplier<Optional<Path>> file, Runnable reload, ScheduledExecutorService timer) {
        TargetsFileWatch watch = new TargetsFileWatch(file, reload, file.get().flatMap(FileStamp::of));
        timer.scheduleWithFixedDelay(watch::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Size and modification time: enough to notice an edit or an atomic replace. */
    private record FileStamp(long size, FileTime modified) {
        static Optional<FileStamp> of(Path file) {
            try {
                return Optional.of(new FileStamp(Files.size(file), Files.getLastModifiedTime(file)));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    private void check() {
        Optional<Path> current = file.get();
        if (current.isEmpty()) {
            return;
        }
        Optional<FileStamp> now = FileStamp.of(current.get());
        if (!now.equals(seen.get())) {
            seen.set(now);
            LOG.info("event=targets_file_changed file={}", current.get());
            reload.run();
        }
    }
}
