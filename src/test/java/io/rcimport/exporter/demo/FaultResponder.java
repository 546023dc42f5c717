package io.rcimport.exporter.demo;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Writes the answer a {@link Fault} stands for. Streaming faults stop at once when the server closes. */
final class FaultResponder {
    private static final int CHUNK = 64 * 1024;
    /** Request attribute: the kind of fault a request was answered with (e.g. {@code HugeBody}); absent for a normal answer. */
    static final String ANSWER_ATTRIBUTE = "rcie.simulated.answer";

    private final ImportSimulation simulation;
    private final Clock clock;
    private final RateLimit rateLimit;
    private final HungRequests hung;
    private final CountDownLatch closing;

    FaultResponder(ImportSimulation simulation, RateLimit rateLimit, HungRequests hung, CountDownLatch closing) {
        this.simulation = simulation;
        this.clock = simulation.clock();
        this.rateLimit = rateLimit;
        this.hung = hung;
        this.closing = closing;
    }

    /** Answers {@code ctx} as {@code fault} says; {@code normally} is the proper answer (for a released hang). */
    void answer(Context ctx, Fault fault, SimulatedRocketChat.Answer normally) throws Exception {
        if (!(fault instanceof Fault.Random) && !(fault instanceof Fault.None)) {
            ctx.attribute(ANSWER_ATTRIBUTE, fault instanceof Fault.Status s ? "Status " + s.status() : fault.getClass().getSimpleName());
        }
        if (fault instanceof Fault.Status s) {
            ctx.status(s.status()).contentType(s.contentType()).result(s.body());
        } else if (fault instanceof Fault.RateLimited r) {
            rateLimited(ctx, r);
        } else if (fault instanceof Fault.Truncated t) {
            truncated(ctx, t);
        } else if (fault instanceof Fault.HugeBody h) {
            huge(ctx, h);
        } else if (fault instanceof Fault.Trickle t) {
            trickle(ctx, t);
        } else if (fault instanceof Fault.Hang) {
            hung.hold(ctx, normally, cut -> truncated(cut, new Fault.Truncated(true)));
        } else if (fault instanceof Fault.Delayed d) {
            if (closing.await(d.delay().toNanos(), TimeUnit.NANOSECONDS)) {
                Connections.drop(ctx);
                return;
            }
            normally.write(ctx);
        } else if (fault instanceof Fault.Random r) {
            answer(ctx, r.pick(), normally);
        } else {
            normally.write(ctx);
        }
    }

    private void rateLimited(Context ctx, Fault.RateLimited r) {
        if (r.withHeaders()) {
            Instant reset = clock.instant().plus(r.retryAfter());
            ctx.header("X-RateLimit-Limit", String.valueOf(rateLimit.enabled() ? rateLimit.limit() : 10));
            ctx.header("X-RateLimit-Remaining", "0");
            ctx.header("X-RateLimit-Reset", String.valueOf(reset.toEpochMilli()));
        }
        ctx.status(r.status()).contentType(RocketChatBodies.JSON)
                .result(RocketChatBodies.tooManyRequests(Math.max(1, r.retryAfter().toSeconds()), r.status() == 400));
    }

    private void truncated(Context ctx, Fault.Truncated t) throws IOException {
        byte[] body = simulation.statusJson().getBytes(StandardCharsets.UTF_8);
        byte[] half = Arrays.copyOf(body, Math.max(1, body.length / 2));
        ctx.status(200).contentType(RocketChatBodies.JSON);
        if (!t.cutConnection()) {
            ctx.result(half);
            return;
        }
        ctx.res().setContentLength(body.length);
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.write(half);
            out.flush();
        } finally {
            Connections.drop(ctx);
        }
    }

    private void huge(Context ctx, Fault.HugeBody h) {
        byte[] head = "{\"state\":\"none\",\"padding\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\",\"success\":true}".getBytes(StandardCharsets.US_ASCII);
        byte[] padding = new byte[CHUNK];
        Arrays.fill(padding, (byte) 'x');
        ctx.status(200).contentType(RocketChatBodies.JSON);
        if (h.declareLength()) {
            ctx.res().setContentLengthLong(h.bytes());
        }
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.write(head);
            long left = h.bytes() - head.length - tail.length;
            while (left > 0) {
                if (closing.getCount() == 0) {
                    Connections.drop(ctx);
                    return;
                }
                int n = (int) Math.min(CHUNK, left);
                out.write(padding, 0, n);
                left -= n;
            }
            out.write(tail);
            out.flush();
        } catch (IOException clientGone) {
            Connections.drop(ctx);
        }
    }

    private void trickle(Context ctx, Fault.Trickle t) throws InterruptedException {
        byte[] body = simulation.statusJson().getBytes(StandardCharsets.UTF_8);
        ctx.status(200).contentType(RocketChatBodies.JSON);
        long pauseNanos = t.perByte().toNanos();
        try {
            OutputStream out = ctx.res().getOutputStream();
            for (int i = 0; i < body.length; i++) {
                if (i > 0 && closing.await(pauseNanos, TimeUnit.NANOSECONDS)) {
                    Connections.drop(ctx);
                    return;
                }
                out.write(body[i]);
                out.flush();
            }
        } catch (IOException clientGone) {
            Connections.drop(ctx);
        }
    }
}
