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
import java.util.function.LongSupplier;

/**
 * Renders {@code /metrics} in the format the {@code Accept} header asks for (Prometheus text,
 * OpenMetrics, or protobuf), as bytes, with that format's exact content type.
 *
 * <p>Two registries. The import registry (every per-target series: thousands with many targets)
 * only moves when a poll ends, so its rendering is cached per format and reused while no poll
 * ended since (and for at most {@link #MAX_CACHE_AGE}, as staleness depends on the time); with
 * many targets, polls end all the time, so it is re-rendered at most every
 * {@link #MIN_RERENDER}. The process registry (JVM, process: a few dozen
 * series that move all the time) is rendered fresh on every scrape. The two byte blocks are
 * joined; in OpenMetrics the first block's {@code # EOF} is dropped.
 */
public final class MetricsEndpoint {
    /** How stale the cached per-target block may be: far below any sane poll interval. */
    public static final Duration MAX_CACHE_AGE = Duration.ofSeconds(1);
    /** However often polls end, the per-target block is rendered at most this often. */
    public static final Duration MIN_RERENDER = Duration.ofMillis(250);
    private static final byte[] OPENMETRICS_EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final PrometheusRegistry importRegistry;
    private final PrometheusRegistry processRegistry;
    private final Clock clock;
    private final LongSupplier version;
    private final Duration maxAge;
    private final Duration minRerender;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** One rendering: its content type and the bytes. */
    public record Rendered(String contentType, byte[] body) {
    }

    private record Cached(byte[] body, Instant renderedAt, long version) {
    }

    /**
     * @param version a number that changes whenever the import data changes (the store's update count)
     */
    public MetricsEndpoint(PrometheusRegistry importRegistry, PrometheusRegistry processRegistry, Clock clock,
                           LongSupplier version) {
        this(importRegistry, processRegistry, clock, version, MAX_CACHE_AGE, MIN_RERENDER);
    }

    MetricsEndpoint(PrometheusRegistry importRegistry, PrometheusRegistry processRegistry, Clock clock,
                    LongSupplier version, Duration maxAge, Duration minRerender) {
        this.importRegistry = importRegistry;
        this.processRegistry = processRegistry;
        this.clock = clock;
        this.version = version;
        this.maxAge = maxAge;
        this.minRerender = minRerender;
    }

    /** No caching: every scrape renders everything (for tests and tools). */
    public static MetricsEndpoint uncached(PrometheusRegistry registry) {
        return new MetricsEndpoint(registry, new PrometheusRegistry(), Clock.systemUTC(), () -> 0, Duration.ZERO, Duration.ZERO);
    }

    public Rendered render(String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        byte[] imports = importBlock(writer);
        byte[] process = write(writer, processRegistry.scrape());
        boolean openMetrics = writer instanceof OpenMetricsTextFormatWriter;
        int importLength = openMetrics ? withoutEof(imports) : imports.length;
        byte[] body = Arrays.copyOf(imports, importLength + process.length);
        System.arraycopy(process, 0, body, importLength, process.length);
        return new Rendered(writer.getContentType(), body);
    }

    private byte[] importBlock(ExpositionFormatWriter writer) throws IOException {
        String key = writer.getContentType();
        Cached c = cache.get(key);
        if (fresh(c, clock.instant())) {
            return c.body();
        }
        synchronized (this) {
            Instant now = clock.instant();
            c = cache.get(key);
            if (fresh(c, now)) {
                return c.body(); // another scrape rendered it while we waited
            }
            long v = version.getAsLong();
            byte[] body = write(writer, importRegistry.scrape());
            cache.put(key, new Cached(body, now, v));
            return body;
        }
    }

    private boolean fresh(Cached c, Instant now) {
        if (c == null) {
            return false;
        }
        Duration age = Duration.between(c.renderedAt(), now);
        if (age.compareTo(minRerender) < 0) {
            return true;
        }
        return age.compareTo(maxAge) < 0 && c.version() == version.getAsLong();
    }

    /** Forget cached renderings (after a config reload changed the set of targets). */
    public void invalidate() {
        cache.clear();
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
