package io.rcimport.exporter.demo;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * A {@link SimulatedRocketChat} with the test harness on its {@link SimulatedRocketChat.Hook}:
 * fault injection ({@link #setFault(Fault)}), request counts per path, per-target traffic on the
 * {@link #TARGET_PREFIX} routes, and optionally every route under any base path. Used by
 * component tests, the fault ITs, the soak and the benchmark's fake.
 *
 * <pre>{@code
 * try (TestRocketChat rc = TestRocketChat.start(SimulatedRocketChat.builder(simulation).credentials("u", "t"))) {
 *     rc.setFault(Fault.badGateway());
 * }
 * }</pre>
 */
public final class TestRocketChat implements SimulatedRocketChat.Hook, AutoCloseable {
    /**
     * One server standing in for many: {@code /t/NAME/api/v1/import.status} answers as
     * {@link SimulatedRocketChat#IMPORT_STATUS} does, and is counted per NAME ({@link #traffic}).
     * A target's url is then {@code http://127.0.0.1:PORT/t/NAME} (the client appends the API path).
     */
    public static final String TARGET_PREFIX = "/t/";
    private static final String BASE = "/{base}";

    private final SimulatedRocketChat rc;
    private final boolean anyBasePath;
    private final HungRequests hung = new HungRequests();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final FaultResponder faults;
    private final LongAdder requests = new LongAdder();
    private final Map<String, LongAdder> requestsByPath = new ConcurrentHashMap<>();
    private final Map<String, TargetCounter> perTarget = new ConcurrentHashMap<>();
    private volatile Fault fault = Fault.none();

    private TestRocketChat(SimulatedRocketChat.Builder builder, boolean anyBasePath) {
        this.anyBasePath = anyBasePath;
        this.rc = builder.hook(this).build();
        this.faults = new FaultResponder(rc.simulation(), rc.rateLimit(), hung, closing);
    }

    /** Builds the simulator with the harness and starts it. */
    public static TestRocketChat start(SimulatedRocketChat.Builder builder) {
        return start(builder, false);
    }

    /**
     * @param anyBasePath also serve every route under one leading path segment,
     *                    {@code /{base}/api/v1/import.status} and so on, as a Rocket.Chat behind a
     *                    proxy at a sub-path is reached; one server, one simulation, counted per path
     */
    public static TestRocketChat start(SimulatedRocketChat.Builder builder, boolean anyBasePath) {
        TestRocketChat harness = new TestRocketChat(builder, anyBasePath);
        harness.rc.start();
        return harness;
    }

    @Override
    public void routes(RoutesConfig routes, SimulatedRocketChat simulator) {
        routes.before(this::count);
        routes.get(TARGET_PREFIX + "{target}" + SimulatedRocketChat.IMPORT_STATUS, this::targetStatus);
        if (anyBasePath) {
            routes.get(BASE + SimulatedRocketChat.IMPORT_STATUS,
                    ctx -> simulator.serveAs(ctx, SimulatedRocketChat.IMPORT_STATUS, "GET " + SimulatedRocketChat.IMPORT_STATUS));
            routes.post(BASE + SimulatedRocketChat.LOGIN,
                    ctx -> simulator.serveAs(ctx, SimulatedRocketChat.LOGIN, "POST " + SimulatedRocketChat.LOGIN));
            routes.get(BASE + SimulatedRocketChat.INFO,
                    ctx -> simulator.serveAs(ctx, SimulatedRocketChat.INFO, "GET " + SimulatedRocketChat.INFO));
        }
    }

    /** The fault first: a sick server or proxy answers before Rocket.Chat's own logic. */
    @Override
    public void answer(Context ctx, SimulatedRocketChat.Answer normally) throws Exception {
        Fault current = fault;
        if (current instanceof Fault.None) {
            normally.write(ctx);
        } else {
            faults.answer(ctx, current, normally);
        }
    }

    @Override
    public void closing() {
        closing.countDown();
        hung.dropAll();
    }

    /** The simulator itself, without the harness. */
    public SimulatedRocketChat simulator() {
        return rc;
    }

    public URI url() {
        return rc.url();
    }

    public int port() {
        return rc.port();
    }

    public ImportSimulation simulation() {
        return rc.simulation();
    }

    /** From now on every request gets {@code fault}'s answer; changing it releases hung requests. */
    public void setFault(Fault fault) {
        this.fault = Objects.requireNonNull(fault, "fault");
        if (!(fault instanceof Fault.Hang)) {
            hung.answerAll();
        }
    }

    public Fault fault() {
        return fault;
    }

    /** Requests received on any path, answered or not, since the start. */
    public long requestCount() {
        return requests.sum();
    }

    /** Requests received on {@code path} (e.g. {@link SimulatedRocketChat#IMPORT_STATUS}). */
    public long requestCount(String path) {
        LongAdder n = requestsByPath.get(path);
        return n == null ? 0 : n.sum();
    }

    /** Requests received so far, by path (e.g. {@code /t0001/api/v1/import.status}); a copy. */
    public Map<String, Long> requestCounts() {
        Map<String, Long> out = new TreeMap<>();
        requestsByPath.forEach((path, n) -> out.put(path, n.sum()));
        return out;
    }

    /** Requests currently held by a {@link Fault.Hang}. */
    public int hungRequestCount() {
        return hung.size();
    }

    /**
     * Per target of the {@link #TARGET_PREFIX} routes: requests, and overlaps, i.e. requests that
     * arrived while another request for the same target, started less than {@code overlapWindow}
     * ago, was still being answered. A client that gave up on a request (its timeout) and sends
     * the next one is no overlap, so pass the client's timeout; requests parked by
     * {@link Fault.Hang} are not counted as being answered.
     */
    public Map<String, Traffic> traffic(Duration overlapWindow) {
        Map<String, Traffic> out = new TreeMap<>();
        perTarget.forEach((name, c) -> out.put(name, c.traffic(overlapWindow)));
        return out;
    }

    /** Stops serving: hung and trickling requests get their answers cut off. Idempotent. */
    @Override
    public void close() {
        rc.close();
    }

    /**
     * What one target's route saw. {@code overlapsByEarlierAnswer} counts the overlaps by what the
     * request that was still being answered got ({@code normal}, or the fault's kind, e.g.
     * {@code HugeBody}), so a soak can tell a client that sent two requests at once from a server
     * still busy with an answer the client had already given up on.
     */
    public record Traffic(long requests, long overlaps, Map<String, Long> overlapsByEarlierAnswer) {
        public Traffic {
            overlapsByEarlierAnswer = Map.copyOf(overlapsByEarlierAnswer);
        }

        public Traffic(long requests, long overlaps) {
            this(requests, overlaps, Map.of());
        }
    }

    private void count(Context ctx) {
        requests.increment();
        requestsByPath.computeIfAbsent(ctx.path(), p -> new LongAdder()).increment();
    }

    private void targetStatus(Context ctx) throws Exception {
        TargetCounter counter = perTarget.computeIfAbsent(ctx.pathParam("target"), t -> new TargetCounter());
        long started = counter.begin(ctx, receivedNanos(ctx));
        try {
            // each target its own rate limit, as separate servers
            rc.serveAs(ctx, SimulatedRocketChat.IMPORT_STATUS, "GET " + ctx.path());
        } finally {
            counter.end(started); // a hung request is parked by now: it no longer counts as being answered
        }
    }

    /**
     * When Jetty began to receive the request. Under load a request can wait for a thread long
     * after it arrived; its age must count from its arrival, as the client's timeout does.
     */
    private static long receivedNanos(Context ctx) {
        try {
            ServletContextRequest r = ServletContextRequest.getServletContextRequest(ctx.req());
            if (r != null && r.getBeginNanoTime() != 0) {
                return r.getBeginNanoTime();
            }
        } catch (RuntimeException e) {
            // not Jetty's servlet request: the handler's start is the best we know
        }
        return System.nanoTime();
    }

    private record Overlap(long ageNanos, String earlierAnswer) {
    }

    private static final class TargetCounter {
        private final Map<Long, Context> inFlight = new HashMap<>();
        private final List<Overlap> overlaps = new ArrayList<>();
        private long requests;

        /** @param received when the request arrived ({@link System#nanoTime()} scale), not when a thread got to it */
        synchronized long begin(Context ctx, long received) {
            long now = received;
            while (inFlight.containsKey(now)) {
                now++;
            }
            requests++;
            for (Map.Entry<Long, Context> e : inFlight.entrySet()) {
                // Read now, while the earlier request is still being answered (Jetty recycles finished ones).
                String kind = e.getValue().attribute(FaultResponder.ANSWER_ATTRIBUTE);
                overlaps.add(new Overlap(now - e.getKey(), kind == null ? "normal" : kind));
            }
            inFlight.put(now, ctx);
            return now;
        }

        synchronized void end(long started) {
            inFlight.remove(started);
        }

        synchronized Traffic traffic(Duration window) {
            Map<String, Long> byAnswer = new TreeMap<>();
            long n = 0;
            for (Overlap o : overlaps) {
                if (o.ageNanos() < window.toNanos()) {
                    n++;
                    byAnswer.merge(o.earlierAnswer(), 1L, Long::sum);
                }
            }
            return new Traffic(requests, n, byAnswer);
        }
    }
}
