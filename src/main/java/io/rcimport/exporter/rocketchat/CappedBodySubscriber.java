package io.rcimport.exporter.rocketchat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a response body up to a cap and no further: past the cap it cancels the subscription
 * (which closes the connection) and completes with what it has, marked truncated. A body is
 * therefore never buffered whole, whatever the server sends. {@link #abort()} lets a timeout
 * stop a body that trickles in.
 */
public final class CappedBodySubscriber implements HttpResponse.BodySubscriber<CappedBodySubscriber.Body> {

    /** The bytes read, and whether reading stopped at the cap. */
    public record Body(byte[] bytes, boolean truncated) {
    }

    private final long cap;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();

    public CappedBodySubscriber(long cap) {
        this.cap = cap;
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (!subscription.compareAndSet(null, s) || result.isDone()) {
            s.cancel();
            return;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            int room = (int) Math.min(Integer.MAX_VALUE, cap - buffer.size());
            int n = Math.min(room, item.remaining());
            byte[] chunk = new byte[n];
            item.get(chunk);
            buffer.write(chunk, 0, n);
            if (item.hasRemaining()) {
                cancel();
                result.complete(new Body(buffer.toByteArray(), true));
                return;
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(new Body(buffer.toByteArray(), false));
    }

    /** Stop reading (timeout): closes the connection; the body future fails. */
    void abort(Throwable cause) {
        cancel();
        result.completeExceptionally(cause);
    }

    private void cancel() {
        Flow.Subscription s = subscription.get();
        if (s != null) {
            s.cancel();
        }
    }
}
