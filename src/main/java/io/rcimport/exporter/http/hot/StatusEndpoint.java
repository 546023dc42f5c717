package io.rcimport.exporter.http.hot;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.status.StatusStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@code /status} rendered once and shared by every reader, like {@code /metrics}: with many
 * targets the JSON is large, and serialising it per request would cost more than the request
 * (bench/README.md). A rendering is reused while it is younger than {@link MetricsEndpoint#MIN_RERENDER},
 * or younger than {@link MetricsEndpoint#MAX_CACHE_AGE} with no poll ended since; so {@code now},
 * {@code age_seconds} and {@code up} in the body are at most a second old, and the body says
 * when it was rendered ({@code now}). While one request renders, the others get the previous
 * rendering; only the very first request waits.
 */
public final class StatusEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StatusStore store;
    private final Function<Instant, Object> view;
    private final Clock clock;
    private final Duration minRerender;
    private final Duration maxAge;
    private final RenderLock rendering = new RenderLock();
    /** The newest rendering, if any. */
    private final AtomicReference<Rendering> cached = new AtomicReference<>();

    private record Rendering(CachedBody body, Instant renderedAt, long updateCount) {
    }

    /**
     * @param view the {@code /status} document at an instant, ready for Jackson (the store's
     *             snapshots as {@code StatusJson} shows them)
     */
    public static StatusEndpoint of(StatusStore store, Function<Instant, Object> view, Clock clock) {
        return new StatusEndpoint(store, view, clock, MetricsEndpoint.MIN_RERENDER, MetricsEndpoint.MAX_CACHE_AGE);
    }

    StatusEndpoint(StatusStore store, Function<Instant, Object> view, Clock clock, Duration minRerender, Duration maxAge) {
        this.store = store;
        this.view = view;
        this.clock = clock;
        this.minRerender = minRerender;
        this.maxAge = maxAge;
    }

    /** The {@code /status} body, from the cache when it is fresh enough. */
    public CachedBody body() {
        Rendering current = cached.get();
        if (current != null && fresh(current, clock.instant())) {
            return current.body();
        }
        return rendering.renderOr(current == null ? null : current.body(), () -> {
            Rendering latest = cached.get();
            Instant now = clock.instant();
            if (latest != null && fresh(latest, now)) {
                return latest.body(); // rendered by another request meanwhile
            }
            long updateCount = store.updateCount();
            Rendering next = new Rendering(new CachedBody(Answer.JSON_TYPE, render(now)), now, updateCount);
            next.body().gzipIfAskedOf(latest == null ? null : latest.body());
            cached.set(next);
            return next.body();
        });
    }

    /** Forget the rendering (after a config reload changed the set of targets). */
    public void invalidate() {
        cached.set(null);
    }

    private boolean fresh(Rendering r, Instant now) {
        Duration age = Duration.between(r.renderedAt(), now);
        if (age.isNegative() || age.compareTo(maxAge) >= 0) {
            return false;
        }
        return age.compareTo(minRerender) < 0 || r.updateCount() == store.updateCount();
    }

    private byte[] render(Instant now) {
        try {
            return JSON.writeValueAsBytes(view.apply(now));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise /status", e);
        }
    }
}
