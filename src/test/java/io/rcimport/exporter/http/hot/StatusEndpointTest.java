package io.rcimport.exporter.http.hot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.http.StatusJson;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.status.StatusStore;
import io.rcimport.exporter.testing.TestClock;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class StatusEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestClock clock = TestClock.at("2026-05-02T09:00:00Z");
    private final StatusStore store = new StatusStore(List.of("main"), clock, Duration.ofMinutes(10));
    private final AtomicInteger breakerAsked = new AtomicInteger();
    private final StatusJson statusJson = new StatusJson(Duration.ofMinutes(1), name -> {
        breakerAsked.incrementAndGet();
        return "closed";
    });
    private final StatusEndpoint endpoint = StatusEndpoint.of(store, now -> statusJson.all(store.all(), now, "9.9.9"), clock);

    private JsonNode read() throws Exception {
        return JSON.readTree(endpoint.body().bytes());
    }

    private void failedPoll() {
        store.update("main", new PollResult.Failure(Outcome.SERVER_ERROR, "HTTP 500", Optional.empty(), OptionalLong.empty()));
    }

    @Test
    void without_polls_it_is_rendered_once_per_max_cache_age_however_many_readers() throws Exception {
        for (int i = 0; i < 50; i++) {
            read();
        }
        assertEquals(1, breakerAsked.get());

        clock.advance(MetricsEndpoint.MAX_CACHE_AGE.minusMillis(1));
        assertEquals("2026-05-02T09:00:00Z", read().path("now").asText(), "the body says when it was rendered");
        assertEquals(1, breakerAsked.get());

        clock.advance(Duration.ofMillis(1));
        assertEquals("2026-05-02T09:00:01Z", read().path("now").asText());
        assertEquals(2, breakerAsked.get());
    }

    @Test
    void a_poll_that_ended_is_shown_once_the_rendering_is_min_rerender_old() throws Exception {
        assertEquals("unknown", read().path("targets").get(0).path("last_outcome").asText("unknown"));
        failedPoll();

        clock.advance(MetricsEndpoint.MIN_RERENDER.minusMillis(1));
        assertTrue(read().path("targets").get(0).path("last_error").isNull(), "within MIN_RERENDER the cached body is served");

        clock.advance(Duration.ofMillis(1));
        assertEquals("server_error", read().path("targets").get(0).path("last_error").path("outcome").asText());
    }

    @Test
    void invalidate_forgets_the_rendering_at_once() throws Exception {
        CachedBody first = endpoint.body();
        failedPoll();

        endpoint.invalidate();
        CachedBody second = endpoint.body();

        assertNotSame(first, second);
        assertEquals("server_error", JSON.readTree(second.bytes()).path("targets").get(0).path("last_error").path("outcome").asText());
    }

    @Test
    void readers_share_one_body_and_one_gzip_and_later_renderings_are_gzipped_ahead() throws Exception {
        CachedBody first = endpoint.body();
        assertSame(first, endpoint.body());
        assertEquals(Answer.JSON_TYPE, first.contentType());
        assertArrayEquals(first.bytes(), new GZIPInputStream(new ByteArrayInputStream(first.gzipped())).readAllBytes());

        clock.advance(MetricsEndpoint.MAX_CACHE_AGE);
        CachedBody second = endpoint.body();

        assertNotSame(first, second);
        assertTrue(second.isGzipped(), "readers asked for gzip: the next rendering is compressed by its renderer");
    }
}
