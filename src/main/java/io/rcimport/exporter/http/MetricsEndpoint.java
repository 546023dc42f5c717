package io.rcimport.exporter.http;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Renders {@code /metrics} in the format the {@code Accept} header asks for (Prometheus text,
 * OpenMetrics, or protobuf), as bytes, with that format's exact content type, and gzipped on
 * request.
 *
 * <p>Two registries. The import registry (every per-target series: thousands with many targets)
 * only moves when a poll ends, so its rendering is cached per format and reused while no poll
 * ended since (and for at most {@link #MAX_CACHE_AGE}, as staleness depends on the time); with
 * many targets, polls end all the time, so it is re-rendered at most every
 * {@link #MIN_RERENDER}. The process registry (JVM, process: a few dozen series that move all
 * the time, but cost a few system calls and thread dumps to collect) is re-rendered when its
 * rendering is {@link #MAX_CACHE_AGE} old, so however many scrapers there are, the JVM is asked
 * at most once a second. The two byte blocks are joined once per new rendering (in OpenMetrics the
 * first block's {@code # EOF} is dropped), and gzipped at most once per joined body: by the
 * rendering thread when the previous body was asked for gzipped, else by the first scrape that asks.
 *
 * <p>A scrape never waits for another scrape's rendering: while one thread renders, the others
 * get the previous rendering (at most the rendering time older). Only the very first scrape of a
 * format waits.
 */
public final class MetricsEndpoint {
    /** How stale a cached block may be: far below any sane poll or scrape interval. */
    public static final Duration MAX_CACHE_AGE = Duration.ofSeconds(1);
    /** However often polls end, the per-target block is rendered at most this often. */
    public static final Duration MIN_RERENDER = Duration.ofMillis(250);
    private static final byte[] OPENMETRICS_EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final PrometheusRegistry importRegistry;
    private final PrometheusRegistry processRegistry;
    private final Clock clock;
    private final LongSupplier updateCount;
    private final Duration maxAge;
    private final Duration minRerender;
    private final ExpositionFormats formats = ExpositionFormats.init();
    /** Per content type: the newest joined body. */
    private final Map<String, Joined> cache = new ConcurrentHashMap<>();
    private final ReentrantLock rendering = new ReentrantLock();

    /** One rendering: its content type and the bytes. */
    public record Rendered(String contentType, byte[] body) {
    }

    private record Block(byte[] bytes, Instant renderedAt, long updateCount) {
    }

    private record Joined(Block imports, Block process, CachedBody body) {
    }

    /**
     * @param updateCount a number that changes whenever the import data changes (the store's update count)
     */
    public MetricsEndpoint(PrometheusRegistry importRegistry, PrometheusRegistry processRegistry, Clock clock,
                           LongSupplier updateCount) {
        this(importRegistry, processRegistry, clock, updateCount, MAX_CACHE_AGE, MIN_RERENDER);
    }

    MetricsEndpoint(PrometheusRegistry importRegistry, PrometheusRegistry processRegistry, Clock clock,
                    LongSupplier updateCount, Duration maxAge, Duration minRerender) {
        this.importRegistry = importRegistry;
        this.processRegistry = processRegistry;
        this.clock = clock;
        this.updateCount = updateCount;
        this.maxAge = maxAge;
        this.minRerender = minRerender;
    }

    /** No caching: every scrape renders everything (for tests and tools). */
    public static MetricsEndpoint uncached(PrometheusRegistry registry) {
        return new MetricsEndpoint(registry, new PrometheusRegistry(), Clock.systemUTC(), () -> 0, Duration.ZERO, Duration.ZERO);
    }

    public Rendered render(String accept) throws IOException {
        CachedBody b = body(accept);
        return new Rendered(b.contentType(), b.bytes());
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
        // Stale or missing. One thread renders; the others take the previous body, if there is one.
        if (j != null) {
            if (!rendering.tryLock()) {
                return j.body();
            }
        } else {
            rendering.lock();
        }
        try {
            now = clock.instant();
            Joined current = cache.get(key);
            Block imports = current != null && importsFresh(current.imports(), now) ? current.imports() : null;
            Block process = current != null && processFresh(current.process(), now) ? current.process() : null;
            if (imports != null && process != null) {
                return current.body(); // another scrape rendered it meanwhile
            }
            if (imports == null) {
                long v = updateCount.getAsLong();
                imports = new Block(write(writer, importRegistry.scrape()), now, v);
            }
            if (process == null) {
                process = new Block(write(writer, processRegistry.scrape()), now, 0);
            }
            Joined next = new Joined(imports, process, new CachedBody(key, join(writer, imports.bytes(), process.bytes())));
            if (current != null && current.body().isGzipped()) {
                // Scrapers of this format ask for gzip: compress here, while they still get the previous body.
                next.body().gzipped();
            }
            cache.put(key, next);
            return next.body();
        } finally {
            rendering.unlock();
        }
    }

    private boolean importsFresh(Block b, Instant now) {
        Duration age = Duration.between(b.renderedAt(), now);
        if (age.compareTo(minRerender) < 0) {
            return true;
        }
        return age.compareTo(maxAge) < 0 && b.updateCount() == updateCount.getAsLong();
    }

    private boolean processFresh(Block b, Instant now) {
        return Duration.between(b.renderedAt(), now).compareTo(maxAge) < 0;
    }

    /** Forget cached renderings (after a config reload changed the set of targets). */
    public void invalidate() {
        cache.clear();
    }

    private static byte[] join(ExpositionFormatWriter writer, byte[] imports, byte[] process) {
        boolean openMetrics = writer instanceof OpenMetricsTextFormatWriter;
        int importLength = openMetrics ? withoutEof(imports) : imports.length;
        byte[] body = Arrays.copyOf(imports, importLength + process.length);
        System.arraycopy(process, 0, body, importLength, process.length);
        return body;
    }

    private static byte[] write(ExpositionFormatWriter writer, MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, snapshots);
        return out.toByteArray();
    }

    private static int withoutEof(byte[] block) {
        int n = OPENMETRICS_EOF.length;
        if (block.length >= n && Arrays.equals(block, block.length - n, block.length, OPENMETRICS_EOF, 0, n)) {
            return block.length - n;
        }
        return block.length;
    }
}
