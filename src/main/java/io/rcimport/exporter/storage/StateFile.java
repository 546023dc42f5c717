package io.rcimport.exporter.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rcimport.exporter.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's state on disk: {@code <storage.path>/state.json}, a {@link SavedState} as JSON
 * (the format is {@link StateJson}'s), for example:
 *
 * <pre>{@code
 * {"version":1,"saved_at":"2026-05-02T09:00:02Z",
 *  "targets":[{"name":"main",
 *              "last_good":{"fetched_at":"2026-05-02T09:00:00Z","raw_body":"{\"success\":true,...}",
 *                           "state_since":"2026-05-02T08:12:00Z","heartbeat_since":"2026-05-02T08:59:45Z",
 *                           "history_operation_id":"op1","samples":[{"at":"2026-05-02T08:59:45Z","processed":1200}]},
 *              "alerts":[{"name":"RocketChatImportStalled","severity":"warning","operation_id":"op1",
 *                         "summary":"...","description":"...","starts_at":"2026-05-02T08:40:00Z"}]}],
 *  "deliveries":[{"sink":"webhook-0","endpoint":"3f2a9c...","payloads":[{"content_type":"application/json","text":"{...}"}]}]}
 * }</pre>
 *
 * <p><b>Writing</b> ({@link #write}) goes to {@code state.json.tmp} in the same directory, which is
 * flushed to the device ({@link FileChannel#force}) and then renamed over {@code state.json}
 * atomically; the directory is then flushed too, so that the rename survives a power cut. A crash
 * at any moment leaves the previous file or the new one, never a torn one; a {@code .tmp} left by
 * a crash is ignored and overwritten by the next write.
 *
 * <p><b>Reading</b> ({@link #load}) never fails on what the file holds: a file with another
 * {@code version} is moved aside as {@code state.json.unsupported-v<N>-<time>}, one that cannot
 * be read (torn, garbage, wrong types, not UTF-8) as {@code state.json.corrupt-<time>}, each
 * with one WARN line naming both files, and the agent starts without kept state. Nothing it could
 * not read is ever deleted or overwritten. {@code <time>} is the injected clock's UTC time,
 * {@code 20260502T090000Z}, with {@code -2}, {@code -3}... if that name is taken.
 *
 * <p>Not for several processes at once: one agent per directory.
 */
public final class StateFile {
    public static final String FILE_NAME = "state.json";
    static final String TEMP_NAME = FILE_NAME + ".tmp";
    static final String PROBE_NAME = ".write-probe";
    /** The configuration key that names the directory, for errors. */
    public static final String KEY = "storage.path";

    private static final Logger LOG = LoggerFactory.getLogger("storage");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path directory;
    private final Path file;
    private final Clock clock;

    StateFile(Path directory, Clock clock) {
        this.directory = directory.toAbsolutePath().normalize();
        this.file = this.directory.resolve(FILE_NAME);
        this.clock = clock;
    }

    /**
     * The startup check: creates {@code directory} if missing and makes sure a file can be
     * created and deleted in it.
     *
     * @throws ConfigException for {@value #KEY}, saying why, if the directory cannot be created
     *                         or written; the caller exits 1
     */
    public static StateFile open(Path directory, Clock clock) throws ConfigException {
        Path dir = directory.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException(KEY, dir + " is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigException(KEY, "cannot create the directory " + dir + ": " + describe(e));
        }
        Path probe = dir.resolve(PROBE_NAME);
        try {
            Files.write(probe, new byte[] {'o', 'k'});
            Files.delete(probe);
        } catch (IOException e) {
            throw new ConfigException(KEY, "cannot write in the directory " + dir + ": " + describe(e));
        }
        return new StateFile(dir, clock);
    }

    /** {@code <storage.path>/state.json}, absolute. */
    public Path path() {
        return file;
    }

    public Path directory() {
        return directory;
    }

    /** What {@link #load} found. */
    public sealed interface LoadResult permits Loaded, Fresh, SetAside {
        /** The kept state, if there is one to restore. */
        default Optional<SavedState> kept() {
            return this instanceof Loaded loaded ? Optional.of(loaded.state()) : Optional.empty();
        }
    }

    /** The file was read. */
    public record Loaded(SavedState state) implements LoadResult {
    }

    /** There is no file: a first start. */
    public record Fresh() implements LoadResult {
    }

    /** The file could not be used and now lies at {@code movedTo}; {@code reason} says why (as logged). */
    public record SetAside(Path movedTo, String reason) implements LoadResult {
    }

    /**
     * Reads the file. Whatever it holds, this does not throw: see the class comment.
     *
     * @throws ConfigException for {@value #KEY} only if a file that cannot be used cannot be moved
     *                         aside either (starting would overwrite it)
     */
    public LoadResult load() throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Fresh();
        } catch (IOException e) {
            return setAside("corrupt-", "cannot be read (" + describe(e) + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            return setAside("corrupt-", "is not valid JSON (" + jsonProblem(e) + ")");
        } catch (IOException e) {
            return setAside("corrupt-", "cannot be read (" + describe(e) + ")");
        }
        if (root == null || root.isMissingNode()) {
            return setAside("corrupt-", "is empty");
        }
        Optional<Integer> version = StateJson.version(root);
        if (version.isPresent() && version.get() != SavedState.FORMAT) {
            return setAside("unsupported-v" + version.get() + "-",
                    "has format version " + version.get() + ", this agent reads version " + SavedState.FORMAT + " only");
        }
        try {
            return new Loaded(StateJson.fromTree(root));
        } catch (StateJson.BadStateException e) {
            return setAside("corrupt-", "is not a state file this agent wrote (" + e.getMessage() + ")");
        }
    }

    /** Replaces the file with {@code state}, atomically (see the class comment). */
    public synchronized void write(SavedState state) throws IOException {
        byte[] bytes = encode(state);
        Path temp = directory.resolve(TEMP_NAME);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // our own half-written file; the next write truncates it anyway
            }
            throw e;
        }
        syncDirectory();
    }

    /** The file's content for {@code state}: one line of JSON. */
    static byte[] encode(SavedState state) throws IOException {
        byte[] json = JSON.writeValueAsBytes(StateJson.toTree(state));
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /** Makes the rename durable; some platforms cannot open a directory, and lose nothing but that. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the data is on disk; only the rename's durability across a power cut is the platform's
        }
    }

    private LoadResult setAside(String kind, String problem) throws ConfigException {
        String stamp = STAMP.format(clock.instant());
        Path target = directory.resolve(FILE_NAME + "." + kind + stamp);
        for (int n = 2; ; n++) {
            try {
                Files.move(file, target); // never replaces: what is already set aside stays
                break;
            } catch (FileAlreadyExistsException e) {
                target = directory.resolve(FILE_NAME + "." + kind + stamp + "-" + n);
            } catch (IOException e) {
                throw new ConfigException(KEY, "the state file " + file + " " + problem + " and cannot be moved aside ("
                        + describe(e) + "); move or remove it by hand");
            }
        }
        LOG.warn("storage: the state file {} {}; moved it aside to {} and starting without kept state", file, problem, target);
        return new SetAside(target, problem);
    }

    private static String jsonProblem(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        int lineBreak = message.indexOf('\n');
        message = lineBreak < 0 ? message : message.substring(0, lineBreak);
        if (message.length() > 160) {
            message = message.substring(0, 160) + "...";
        }
        return e.getLocation() == null ? message
                : message + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /**
     * An I/O failure in a few words, the same for the same kind of failure ("No space left on
     * device: /data/state.json.tmp"), for messages and for logging each kind once.
     */
    static String describe(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        if (e instanceof NoSuchFileException missing) {
            return "no such file or directory: " + missing.getFile();
        }
        if (e instanceof FileAlreadyExistsException exists) {
            return "a file is in the way: " + exists.getFile();
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason() + (fs.getFile() == null ? "" : ": " + fs.getFile());
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
