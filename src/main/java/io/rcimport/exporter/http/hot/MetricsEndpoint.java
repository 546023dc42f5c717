package io.rcimport.exporter.http.hot;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Renders {@code /metrics} in the format the {@code Accept} header asks for (Prometheus text,
 * OpenMetrics, or protobuf), as bytes, with that format's exact content type, and gzipped on
 * request.
 *
 * <p>Two registries. The import registry (every per-target series: thousands with many targets)
 * only moves when a poll ends, so its rendering is cached per format and reused while no poll
 * ended since (and for at most {@link #MAX_CACHE_AGE}, as staleness depends on the time); with
 * many targets, polls end all the time, so it is re-rendered at most every
 * {@link #MIN_RERENDER}, or every {@link #RENDER_COST_FACTOR} times its rendering time when that
 * is longer. The process registry (JVM, process: a few dozen series that move all the time, but
 * cost a few system calls and thread dumps to collect) is re-rendered when its rendering is half
 * {@link #MAX_CACHE_AGE} old, so however many scrapers there are, the JVM is asked at most twice
 * a second. A body is the two blocks sent one after the other, not copied together (in
 * OpenMetrics without the first block's {@code # EOF}), and is gzipped at most once: by the
 * rendering thread when the previous body was asked for gzipped, else by the first scrape that
 * asks; the per-target block's share of the compression is done once and reused by the bodies
 * that differ only in the process block ({@link GzipParts}).
 *
 * <p>A scrape waits for a rendering only when the cached one is too old to serve (older than
 * {@link #MAX_CACHE_AGE}: with a scrape every few seconds or less often, every scrape gets data
 * of its own time) or missing. A rendering that is merely due (a poll ended and it is
 * {@link #MIN_RERENDER} old, or the process block is half {@link #MAX_CACHE_AGE} old) is served
 * while a fresh one is rendered in the background, so under heavy scraping no scrape waits for
 * a rendering (which takes tens of milliseconds with a thousand targets). And while one thread
 * renders, the others get the previous rendering; only the very first scrape of a format waits.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** How stale a cached block may be: far below any sane poll or scrape interval. */
    public static final Duration MAX_CACHE_AGE = Duration.ofSeconds(1);
    /** However often polls end, the per-target block is rendered at most this often. */
    public static final Duration MIN_RERENDER = Duration.ofMillis(250);
    /**
     * And at most once per this many times its rendering took, up to half {@link #MAX_CACHE_AGE}:
     * with a thousand targets and scrapers that never pause, rendering (and the garbage it leaves,
     * megabytes each time) stays a small share of the agent's work, and the data stays under a
     * second old.
     */
    static final int RENDER_COST_FACTOR = 10;
    private static final byte[] OPENMETRICS_EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final PrometheusRegistry importRegistry;
    private final PrometheusRegistry processRegistry;
    private final Clock clock;
    private final LongSupplier updateCount;
    private final Duration maxAge;
    private final Duration halfMaxAge;
    private final Duration minRerender;
    private final ExpositionFormats formats = ExpositionFormats.init();
    /** Per content type: the newest joined body. */
    private final Map<String, Joined> cache = new ConcurrentHashMap<>();
    private final RenderLock rendering = new RenderLock();
    private final Executor background;
    private final LongSupplier nanoTime;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile Function<String, Optional<MetricSnapshots>> perTarget = target -> Optional.empty();

    /**
     * One registry's rendering.
     *
     * @param hold     how long it is fresh whatever happens (computed once: this is read per request)
     * @param deflated its first {@code length} bytes as raw deflate for {@link GzipParts}, made
     *                 once, when a scraper first asks for gzip
     */
    private record Block(CachedBody.Part bytes, Instant renderedAt, long updateCount, Duration hold, Once<byte[]> deflated) {
        Block(CachedBody.Part bytes, Instant renderedAt, long updateCount, Duration hold) {
            this(bytes, renderedAt, updateCount, hold, new Once<>());
        }
    }

    /** A value made at most once, by the first caller (others wait for it). */
    private static final class Once<T> {
        private T value;

        synchronized T get(Supplier<T> make) {
            if (value == null) {
                value = make.get();
            }
            return value;
        }
    }

    private record Joined(Block imports, Block process, CachedBody body) {
    }

    /**
     * The agent's {@code /metrics}: cached, with renderings that are due but not yet needed made
     * ahead, one at a time, on a thread of {@code threads} that exists while scrapes come often
     * (it ends 30 s after the last).
     *
     * @param updateCount a number that changes whenever the import data changes (the store's update count)
     */
    public static MetricsEndpoint cached(PrometheusRegistry importRegistry, PrometheusRegistry processRegistry, Clock clock,
                                         LongSupplier updateCount, ThreadFactory threads) {
        ExecutorService renderer = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads,
                new ThreadPoolExecutor.DiscardPolicy());
        return new MetricsEndpoint(importRegistry, processRegistry, clock, updateCount, MAX_CACHE_AGE, MIN_RERENDER, renderer,
                System::nanoTime);
    }

    /** @param nanoTime measures how long renderings take ({@link System#nanoTime()}) */
    MetricsEndpoint(PrometheusRegistry importRegistry, PrometheusRegistry processRegistry, Clock clock,
                    LongSupplier updateCount, Duration maxAge, Duration minRerender, Executor background,
                    LongSupplier nanoTime) {
        this.background = background;
        this.nanoTime = nanoTime;
        this.importRegistry = importRegistry;
        this.processRegistry = processRegistry;
        this.clock = clock;
        this.updateCount = updateCount;
        this.maxAge = maxAge;
        this.halfMaxAge = maxAge.dividedBy(2);
        this.minRerender = minRerender;
    }

    /** No caching: every scrape renders everything (for tests and tools). */
    public static MetricsEndpoint uncached(PrometheusRegistry registry) {
        return new MetricsEndpoint(registry, new PrometheusRegistry(), Clock.systemUTC(), () -> 0, Duration.ZERO, Duration.ZERO,
                Runnable::run, System::nanoTime);
    }

    /** The body for this {@code Accept} header, from the cache when it is fresh enough. */
    public CachedBody body(String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        String key = writer.getContentType();
        Joined j = cache.get(key);
        Instant now = clock.instant();
        if (j != null && importsFresh(j.imports(), now) && processFresh(j.process(), now)) {
            return j.body();
        }
        if (j != null && servable(j, now)) {
            refreshInBackground(key, writer);
            Joined newest = cache.get(key); // the new one already, if the executor ran the rendering here
            return (newest != null ? newest : j).body();
        }
        // Too old to serve, or missing. One thread renders; the others take the previous body, if there is one.
        return rendering.renderOr(j == null ? null : j.body(), () -> renderStale(key, writer));
    }

    /**
     * Where {@code /metrics?target=NAME} gets its series: a target's own, empty for a name this
     * agent does not poll (404). Default: none (every name is unknown).
     */
    public MetricsEndpoint perTarget(Function<String, Optional<MetricSnapshots>> view) {
        this.perTarget = view;
        return this;
    }

    /**
     * {@code /metrics?target=NAME}: only that target's series, rendered per request from its
     * own snapshots (a few dozen series, whatever the size of the fleet), in the format the
     * {@code Accept} header asks for; empty for an unknown name.
     */
    public Optional<CachedBody> targetBody(String target, String accept) throws IOException {
        Optional<MetricSnapshots> snapshots = perTarget.apply(target);
        if (snapshots.isEmpty()) {
            return Optional.empty();
        }
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 * 1024);
        writer.write(out, snapshots.get());
        return Optional.of(new CachedBody(writer.getContentType(), out.toByteArray()));
    }

    /** Renders what is due in {@link #background}, unless a rendering is queued or running. */
    private void refreshInBackground(String key, ExpositionFormatWriter writer) {
        if (!refreshQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(() -> {
                try {
                    rendering.renderIfFree(() -> renderStale(key, writer));
                } catch (IOException | RuntimeException e) {
                    // The next scrape that finds the rendering too old renders it itself, and reports the error.
                } finally {
                    refreshQueued.set(false);
                }
            });
        } catch (RuntimeException rejected) {
            refreshQueued.set(false); // shutting down: scrapes render themselves
        }
    }

    /** With {@link #rendering} held: renders the stale blocks of this format, joins, caches, returns the body. */
    private CachedBody renderStale(String key, ExpositionFormatWriter writer) throws IOException {
        Instant now = clock.instant();
        Joined current = cache.get(key);
        Block imports = current != null && importsFresh(current.imports(), now) ? current.imports() : null;
        Block process = current != null && processFresh(current.process(), now) ? current.process() : null;
        if (imports != null && process != null) {
            return current.body(); // another thread rendered it meanwhile
        }
        if (imports == null) {
            long v = updateCount.getAsLong();
            long start = nanoTime.getAsLong();
            CachedBody.Part bytes = write(writer, importRegistry.scrape(), current == null ? 0 : current.imports().bytes().length());
            imports = new Block(bytes, now, v, importsHold(nanoTime.getAsLong() - start));
        }
        if (process == null) {
            process = new Block(write(writer, processRegistry.scrape(), current == null ? 0 : current.process().bytes().length()), now, 0, halfMaxAge);
        }
        Joined next = new Joined(imports, process, joined(key, writer, imports, process));
        next.body().gzipIfAskedOf(current == null ? null : current.body());
        cache.put(key, next);
        return next.body();
    }

    /** Whether a cached body may still be served while a fresher one is rendered: no block is {@link #maxAge} old. */
    private boolean servable(Joined j, Instant now) {
        return age(j.imports(), now).compareTo(maxAge) < 0 && age(j.process(), now).compareTo(maxAge) < 0;
    }

    private static Duration age(Block b, Instant now) {
        return Duration.between(b.renderedAt(), now);
    }

    /** {@link #minRerender}, or {@link #RENDER_COST_FACTOR} times the rendering's cost, up to half {@link #maxAge}. */
    private Duration importsHold(long renderNanos) {
        Duration hold = Duration.ofNanos(renderNanos).multipliedBy(RENDER_COST_FACTOR);
        return hold.compareTo(minRerender) < 0 ? minRerender : hold.compareTo(halfMaxAge) > 0 ? halfMaxAge : hold;
    }

    private boolean importsFresh(Block b, Instant now) {
        Duration age = age(b, now);
        if (age.compareTo(b.hold()) < 0) {
            return true;
        }
        return age.compareTo(maxAge) < 0 && b.updateCount() == updateCount.getAsLong();
    }

    /** The process block is due at half {@link #maxAge}, so that under frequent scrapes it is renewed in the background. */
    private boolean processFresh(Block b, Instant now) {
        return age(b, now).compareTo(b.hold()) < 0;
    }

    /** Forget cached renderings (after a config reload changed the set of targets). */
    public void invalidate() {
        cache.clear();
    }

    /** Ends the background rendering thread, if this endpoint has one of its own. */
    @Override
    public void close() {
        if (background instanceof ExecutorService own) {
            own.shutdownNow();
        }
    }

    /**
     * The body: both blocks one after the other (in OpenMetrics without the first block's
     * {@code # EOF}), as two parts, not copied. Gzipped on demand from the per-target block's
     * deflate, made once for all the bodies that share it, and the process block's, which is small.
     */
    private static CachedBody joined(String contentType, ExpositionFormatWriter writer, Block imports, Block process) {
        CachedBody.Part first = new CachedBody.Part(imports.bytes().array(), importLength(writer, imports.bytes()));
        CachedBody.Part second = process.bytes();
        List<CachedBody.Part> parts = List.of(first, second);
        return new CachedBody(contentType, parts, () -> GzipParts.gzip(
                imports.deflated().get(() -> GzipParts.deflateOpen(first.array(), 0, first.length())),
                GzipParts.deflateFinal(second.array(), 0, second.length()),
                parts));
    }

    private static int importLength(ExpositionFormatWriter writer, CachedBody.Part imports) {
        return writer instanceof OpenMetricsTextFormatWriter ? withoutEof(imports) : imports.length();
    }

    /** @param sizeHint the size of the previous rendering: the buffer is allocated once, not doubled a dozen times */
    private static CachedBody.Part write(ExpositionFormatWriter writer, MetricSnapshots snapshots, int sizeHint) throws IOException {
        Buffer out = new Buffer(Math.max(16 * 1024, sizeHint + sizeHint / 8));
        writer.write(out, snapshots);
        return out.rendered();
    }

    /** A byte stream whose contents are taken as they are, not copied (renderings are megabytes with many targets). */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        CachedBody.Part rendered() {
            return new CachedBody.Part(buf, count);
        }
    }

    private static int withoutEof(CachedBody.Part block) {
        int n = OPENMETRICS_EOF.length;
        int length = block.length();
        if (length >= n && Arrays.equals(block.array(), length - n, length, OPENMETRICS_EOF, 0, n)) {
            return length - n;
        }
        return length;
    }
}
