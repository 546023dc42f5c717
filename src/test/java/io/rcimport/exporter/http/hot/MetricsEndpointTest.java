package io.rcimport.exporter.http.hot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.rcimport.exporter.testing.TestClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsEndpointTest {
    private final TestClock clock = TestClock.at("2026-05-02T09:00:00Z");
    private final AtomicLong version = new AtomicLong();
    /** The time renderings take, as the endpoint measures it: none, unless a test says so. */
    private final AtomicLong nanos = new AtomicLong();
    private final CountingCollector imports = new CountingCollector("imports_value");
    private final CountingCollector process = new CountingCollector("process_value");
    private final MetricsEndpoint endpoint = endpoint();

    private MetricsEndpoint endpoint() {
        PrometheusRegistry importRegistry = new PrometheusRegistry();
        importRegistry.register(imports);
        PrometheusRegistry processRegistry = new PrometheusRegistry();
        processRegistry.register(process);
        return new MetricsEndpoint(importRegistry, processRegistry, clock, version::get,
                MetricsEndpoint.MAX_CACHE_AGE, MetricsEndpoint.MIN_RERENDER, Runnable::run, nanos::get);
    }

    /** A gauge whose value counts how often it was collected; can be made to block once. */
    private static final class CountingCollector implements MultiCollector {
        final String name;
        final AtomicInteger collected = new AtomicInteger();
        volatile CountDownLatch entered;
        volatile CountDownLatch release;
        volatile Runnable onCollect = () -> { };

        CountingCollector(String name) {
            this.name = name;
        }

        @Override
        public MetricSnapshots collect() {
            int n = collected.incrementAndGet();
            onCollect.run();
            CountDownLatch in = entered;
            CountDownLatch out = release;
            if (in != null && out != null) {
                in.countDown();
                try {
                    out.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new MetricSnapshots(GaugeSnapshot.builder().name(name)
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.EMPTY).value(n).build())
                    .build());
        }
    }

    private String text() throws Exception {
        return new String(endpoint.body(null).bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void jvm_block_is_collected_at_most_twice_per_max_cache_age_however_many_scrapes() throws Exception {
        Duration half = MetricsEndpoint.MAX_CACHE_AGE.dividedBy(2);
        for (int i = 0; i < 50; i++) {
            text();
        }
        assertEquals(1, process.collected.get());

        clock.advance(half.minusMillis(1));
        text();
        assertEquals(1, process.collected.get());

        clock.advance(Duration.ofMillis(1));
        assertTrue(text().contains("process_value 2.0"));
        assertEquals(2, process.collected.get());
        for (int i = 0; i < 50; i++) {
            text();
        }
        assertEquals(2, process.collected.get());
    }

    @Test
    void import_block_is_re_rendered_when_a_poll_ended_but_at_most_every_min_rerender() throws Exception {
        text();
        version.incrementAndGet();
        clock.advance(MetricsEndpoint.MIN_RERENDER.minusMillis(1));
        text();
        assertEquals(1, imports.collected.get(), "within MIN_RERENDER the cached block is served");

        clock.advance(Duration.ofMillis(1));
        assertTrue(text().contains("imports_value 2.0"));

        clock.advance(MetricsEndpoint.MIN_RERENDER);
        text();
        assertEquals(2, imports.collected.get(), "no poll ended: still cached");
        clock.advance(MetricsEndpoint.MAX_CACHE_AGE);
        text();
        assertEquals(3, imports.collected.get(), "re-rendered once MAX_CACHE_AGE old");
    }

    @Test
    void a_due_rendering_is_served_while_the_next_is_made_in_the_background_and_a_too_old_one_is_not() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        PrometheusRegistry importRegistry = new PrometheusRegistry();
        importRegistry.register(imports);
        MetricsEndpoint behind = new MetricsEndpoint(importRegistry, new PrometheusRegistry(), clock, version::get,
                MetricsEndpoint.MAX_CACHE_AGE, MetricsEndpoint.MIN_RERENDER, queued::add, nanos::get);
        behind.body(null);
        version.incrementAndGet();
        clock.advance(MetricsEndpoint.MIN_RERENDER);

        String served = new String(behind.body(null).bytes(), StandardCharsets.UTF_8);
        behind.body(null);

        assertTrue(served.contains("imports_value 1.0"), "the due rendering is served: " + served);
        assertEquals(1, queued.size(), "one background rendering queued, however many scrapes");
        queued.remove(0).run();
        assertTrue(new String(behind.body(null).bytes(), StandardCharsets.UTF_8).contains("imports_value 2.0"));

        version.incrementAndGet();
        clock.advance(MetricsEndpoint.MAX_CACHE_AGE);
        assertTrue(new String(behind.body(null).bytes(), StandardCharsets.UTF_8).contains("imports_value 3.0"),
                "too old to serve: the scrape waits for a new rendering");
        assertTrue(queued.isEmpty());
    }

    @Test
    void a_rendering_that_takes_long_is_repeated_at_most_once_per_ten_times_its_cost_up_to_half_max_age() throws Exception {
        imports.onCollect = () -> nanos.addAndGet(Duration.ofMillis(30).toNanos()); // each rendering "takes" 30 ms
        text();
        version.incrementAndGet();

        clock.advance(Duration.ofMillis(299));
        text();
        assertEquals(1, imports.collected.get(), "within 10 x 30 ms the rendering is held");
        clock.advance(Duration.ofMillis(1));
        text();
        assertEquals(2, imports.collected.get());

        imports.onCollect = () -> nanos.addAndGet(Duration.ofMillis(900).toNanos());
        version.incrementAndGet();
        clock.advance(MetricsEndpoint.MAX_CACHE_AGE);
        text(); // takes "900 ms"
        version.incrementAndGet();
        clock.advance(MetricsEndpoint.MAX_CACHE_AGE.dividedBy(2).minusMillis(1));
        text();
        assertEquals(3, imports.collected.get());
        clock.advance(Duration.ofMillis(1));
        text();
        assertEquals(4, imports.collected.get(), "held for at most half MAX_CACHE_AGE, however long it takes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain;version=0.0.4", "application/openmetrics-text; version=1.0.0",
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"})
    void the_gzipped_body_inflates_to_the_body_in_every_format_also_when_only_the_process_block_moved(String accept) throws Exception {
        CachedBody first = endpoint.body(accept);
        assertArrayEquals(first.bytes(), new GZIPInputStream(new ByteArrayInputStream(first.gzipped())).readAllBytes());

        clock.advance(MetricsEndpoint.MAX_CACHE_AGE.dividedBy(2)); // the process block is due, the per-target block is not
        CachedBody second = endpoint.body(accept);

        assertEquals(1, imports.collected.get());
        assertEquals(2, process.collected.get());
        assertNotSame(first, second);
        assertArrayEquals(second.bytes(), new GZIPInputStream(new ByteArrayInputStream(second.gzipped())).readAllBytes());
    }

    @Test
    void the_same_rendering_is_served_as_the_same_bytes_and_gzipped_once() throws Exception {
        CachedBody first = endpoint.body(null);
        CachedBody second = endpoint.body("text/plain;version=0.0.4");

        assertSame(first, second);
        assertSame(first.gzipped(), second.gzipped());
        assertArrayEquals(first.bytes(), new GZIPInputStream(new ByteArrayInputStream(first.gzipped())).readAllBytes());
    }

    @Test
    void once_gzip_was_asked_for_the_next_rendering_is_gzipped_before_it_is_served() throws Exception {
        CachedBody first = endpoint.body(null);
        assertFalse(first.isGzipped());
        first.gzipped();
        clock.advance(MetricsEndpoint.MAX_CACHE_AGE);

        CachedBody second = endpoint.body(null);

        assertNotSame(first, second);
        assertTrue(second.isGzipped());
    }

    @Test
    void openmetrics_body_has_one_eof_at_the_end() throws Exception {
        String body = new String(endpoint.body("application/openmetrics-text; version=1.0.0").bytes(), StandardCharsets.UTF_8);

        assertEquals(body.indexOf("# EOF"), body.lastIndexOf("# EOF"));
        assertTrue(body.endsWith("# EOF\n"));
        assertTrue(body.indexOf("imports_value") < body.indexOf("process_value"));
    }

    @Test
    void a_scrape_does_not_wait_for_another_scrapes_rendering_but_gets_the_previous_body() throws Exception {
        String before = text();
        clock.advance(MetricsEndpoint.MAX_CACHE_AGE);
        process.entered = new CountDownLatch(1);
        process.release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<String> rendering = other.submit(this::text);
            assertTrue(process.entered.await(10, TimeUnit.SECONDS));

            assertEquals(before, text(), "served the previous body while the other scrape renders");

            process.release.countDown();
            assertTrue(rendering.get(10, TimeUnit.SECONDS).contains("process_value 2.0"));
            assertTrue(text().contains("process_value 2.0"));
        } finally {
            process.release.countDown();
            other.shutdownNow();
        }
    }

    @Test
    void uncached_renders_every_scrape() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        CountingCollector c = new CountingCollector("x");
        registry.register(c);
        MetricsEndpoint uncached = MetricsEndpoint.uncached(registry);

        uncached.body(null);
        uncached.body(null);

        assertEquals(2, c.collected.get());
    }
}
