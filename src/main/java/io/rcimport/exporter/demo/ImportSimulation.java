package io.rcimport.exporter.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A deterministic model of Rocket.Chat's import operations, with no threads of its own: the model
 * advances lazily to {@code clock.instant()} whenever it is asked something.
 *
 * <p>Operations follow Rocket.Chat's steps ({@code importer_new} … {@code importer_done}),
 * count in the server's jumps (completed/error are written when their sum reaches a multiple of
 * 50, of 500 while importing messages, or the total), and now and then fail, stall or are cut by
 * a server restart, as the {@link Scenario} says. After an operation ends, a new one with a new
 * {@code _id} replaces it. The same seed and scenario give the same body for the same instant,
 * however often it is asked.
 *
 * <p>Tests can force a phase at the clock's current instant: {@link #forceFailure()},
 * {@link #forceStall()}, {@link #forceRecovery()}, {@link #forceRestart()},
 * {@link #startNewOperation()}, {@link #forceStatus(String)}. Thread-safe.
 */
public final class ImportSimulation {
    private static final String STATE_NONE = "{\"state\":\"none\",\"success\":true}";

    private final Clock clock;
    private final RandomGenerator random;
    private final Scenario scenario;
    private final String userId;
    private final ObjectMapper json = new ObjectMapper();

    /** The newest operation as stored; null until the first one. */
    private OperationRecord operation;
    /** The ones it replaced: getLatestImportOperations. */
    private final ReplacedOperations replaced = new ReplacedOperations();
    private List<Step> plan = List.of();
    private int stepIndex;
    /** Records staged or processed in the current step, as far as the model has looked ahead. */
    private int doneInStep;
    /** Records processed by all Run steps so far: where a planned fault strikes. */
    private int processedInRun;
    /** The importer's in-memory counters; the stored ones follow in jumps. */
    private long completed;
    private long errors;
    private FaultPlan faultPlan = FaultPlan.NONE;
    /** How far in time the work has been simulated (ahead of the clock while counting). */
    private Instant cursor;
    /** What happens next; null while halted by {@link #forceStall()}. */
    private Event next;
    private Event parked;
    private Instant haltedSince;
    /** Inside a stall the scenario planned. */
    private boolean stalled;

    public ImportSimulation(Clock clock, RandomGenerator random, Scenario scenario) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.scenario = Objects.requireNonNull(scenario, "scenario");
        this.userId = Ids.meteorId(random);
        Instant start = clock.instant();
        this.cursor = start;
        this.next = new Event(start.plus(scenario.firstOperationAfter()), this::createOperation);
    }

    public Clock clock() {
        return clock;
    }

    public Scenario scenario() {
        return scenario;
    }

    /** The exact body Rocket.Chat would send for {@code GET /api/v1/import.status} now. */
    public synchronized String statusJson() {
        advance();
        if (operation == null) {
            return STATE_NONE;
        }
        ObjectNode body = json.createObjectNode();
        operation.writeStatusBody(body);
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The exact body Rocket.Chat would send for {@code GET /api/v1/getLatestImportOperations} now:
     * a bare array, newest first (a replaced operation was invalidated when its successor came).
     */
    public synchronized String historyJson() {
        advance();
        ArrayNode body = json.createArrayNode();
        if (operation != null) {
            operation.writeOperation(body.addObject());
        }
        replaced.writeTo(body);
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current operation fails now ({@code importer_import_failed}); one is created first if none is running. */
    public synchronized void forceFailure() {
        Instant now = advance();
        ensureLiveOperation(now);
        clearHalt();
        fail(now);
    }

    /** Stops every write from now on ({@code _updatedAt} freezes) until {@link #forceRecovery()}. */
    public synchronized void forceStall() {
        Instant now = advance();
        if (haltedSince == null) {
            haltedSince = now;
            parked = next;
            next = null;
        }
    }

    /**
     * Gets things moving again now: ends a forced or planned stall (the work resumes where it
     * stopped), or, if the operation failed or was invalidated, starts a new one.
     */
    public synchronized void forceRecovery() {
        Instant now = advance();
        if (operation != null && operation.isOver() && !Statuses.DONE.equals(operation.status())) {
            clearHalt();
            createOperation(now);
            return;
        }
        if (haltedSince != null) {
            Duration shift = Duration.between(haltedSince, now);
            cursor = cursor.plus(shift);
            next = parked == null ? null : new Event(parked.at().plus(shift), parked.action());
            haltedSince = null;
            parked = null;
        }
        if (stalled) {
            stalled = false;
            cursor = now;
            planRun();
        }
    }

    /** A server restart now: the running operation becomes {@code valid: false} (state {@code error}). */
    public synchronized void forceRestart() {
        Instant now = advance();
        ensureLiveOperation(now);
        clearHalt();
        invalidate(now);
    }

    /** A new operation with a new {@code _id} replaces the current one now. */
    public synchronized void startNewOperation() {
        Instant now = advance();
        clearHalt();
        createOperation(now);
    }

    /**
     * Writes {@code status} now, e.g. a step a newer server knows ({@code state} is then omitted).
     * The simulation carries on: its next step change overwrites it.
     */
    public synchronized void forceStatus(String status) {
        Objects.requireNonNull(status, "status");
        Instant now = advance();
        if (operation == null) {
            createOperation(now);
        }
        operation.writeStatus(status, now);
    }

    // ---- the event loop -------------------------------------------------------------------

    private record Event(Instant at, Consumer<Instant> action) {
    }

    private enum FaultKind { NONE, FAIL, STALL, RESTART }

    private record FaultPlan(FaultKind kind, int atRecord, boolean thenFail) {
        static final FaultPlan NONE = new FaultPlan(FaultKind.NONE, -1, false);

        boolean strikesAt(int processed) {
            return kind != FaultKind.NONE && processed == atRecord;
        }
    }

    private Instant advance() {
        Instant now = clock.instant();
        while (next != null && !next.at().isAfter(now)) {
            Event event = next;
            next = null;
            event.action().accept(event.at());
        }
        return now;
    }

    private void clearHalt() {
        haltedSince = null;
        parked = null;
        stalled = false;
    }

    private void ensureLiveOperation(Instant now) {
        if (operation == null || operation.isOver()) {
            createOperation(now);
        }
    }

    private void createOperation(Instant at) {
        Importer importer = pickImporter();
        int users = pick(scenario.users()) * (importer.fileBased() ? 1 : 2);
        int channels = importer.fileBased() ? pick(scenario.channels()) : 0;
        int messages = importer.fileBased() ? pick(scenario.messages()) : 0;
        String id = importer.legacyShape ? Ids.meteorId(random) : Ids.objectId(at, random);
        plan = Step.plan(importer, users, channels, messages, scenario);
        faultPlan = pickFault(Step.runRecords(plan));
        if (operation != null) {
            replaced.replace(operation, at);
        }
        operation = new OperationRecord(id, importer, at, userId);
        processedInRun = 0;
        completed = 0;
        errors = 0;
        stalled = false;
        enterStep(0, at);
    }

    private void enterStep(int index, Instant at) {
        stepIndex = index;
        doneInStep = 0;
        cursor = at;
        Step step = plan.get(index);
        if (!step.status().equals(operation.status())) {
            operation.writeStatus(step.status(), at);
        }
        if (step instanceof Step.Mark mark) {
            next = new Event(at.plus(mark.dwell()), t -> enterStep(index + 1, t));
        } else if (step instanceof Step.Stage) {
            planStaging();
        } else if (step instanceof Step.Run) {
            planRun();
        } else {
            next = new Event(at.plus(scenario.pauseBetweenOperations()), this::createOperation);
        }
    }

    private void planStaging() {
        Step.Stage stage = (Step.Stage) plan.get(stepIndex);
        int left = stage.amount() - doneInStep;
        if (left <= 0) {
            int following = stepIndex + 1;
            next = new Event(cursor, t -> enterStep(following, t));
            return;
        }
        int batch = Math.min(stage.batch(), left);
        cursor = cursor.plus(timeFor(batch, scenario.stagingPerSecond()));
        next = new Event(cursor, t -> {
            doneInStep += batch;
            operation.addStaged(stage.field(), batch, t);
            planStaging();
        });
    }

    /** Looks ahead record by record to the next write (or fault, or step end) and schedules it. */
    private void planRun() {
        Step.Run run = (Step.Run) plan.get(stepIndex);
        long total = operation.count(CountField.TOTAL);
        Duration perRecord = timeFor(1, run.perSecond());
        while (doneInStep < run.records()) {
            if (faultPlan.strikesAt(processedInRun)) {
                scheduleFault();
                return;
            }
            doneInStep++;
            processedInRun++;
            cursor = cursor.plus(perRecord);
            boolean skipped = run.field() == CountField.USERS && random.nextDouble() < scenario.skipRate();
            if (skipped) {
                continue;
            }
            if (random.nextDouble() < scenario.errorRate()) {
                errors++;
            } else {
                completed++;
            }
            long sum = completed + errors;
            if (sum % run.writeEvery() == 0 || sum >= total) {
                long c = completed;
                long e = errors;
                next = new Event(cursor, t -> {
                    operation.writeProgress(c, e, t);
                    planRun();
                });
                return;
            }
        }
        int following = stepIndex + 1;
        next = new Event(cursor, t -> enterStep(following, t));
    }

    private void scheduleFault() {
        FaultPlan fault = faultPlan;
        faultPlan = FaultPlan.NONE;
        switch (fault.kind()) {
            case FAIL -> next = new Event(cursor, this::fail);
            case RESTART -> next = new Event(cursor, this::invalidate);
            case STALL -> next = new Event(cursor, start -> {
                // No write: _updatedAt freezes at the last one.
                stalled = true;
                next = new Event(start.plus(scenario.stallDuration()), end -> {
                    stalled = false;
                    cursor = end;
                    if (fault.thenFail()) {
                        fail(end);
                    } else {
                        planRun();
                    }
                });
            });
            case NONE -> throw new IllegalStateException("no fault planned");
        }
    }

    private void fail(Instant at) {
        operation.writeStatus(Statuses.FAILED, at);
        next = new Event(at.plus(scenario.pauseBetweenOperations()), this::createOperation);
    }

    private void invalidate(Instant at) {
        operation.invalidate(at);
        next = new Event(at.plus(scenario.pauseBetweenOperations()), this::createOperation);
    }

    // ---- random choices, always drawn in the same order ----------------------------------

    private Importer pickImporter() {
        double u = random.nextDouble();
        if (u < scenario.slackShare()) {
            return Importer.SLACK;
        }
        return u < scenario.slackShare() + scenario.csvShare() ? Importer.CSV : Importer.API;
    }

    private int pick(Scenario.Range range) {
        return range.min() + random.nextInt(range.max() - range.min() + 1);
    }

    private FaultPlan pickFault(int runRecords) {
        double u = random.nextDouble();
        int at = runRecords / 10 + random.nextInt(Math.max(1, runRecords * 8 / 10));
        boolean thenFail = random.nextDouble() < scenario.stallThenFailProbability();
        FaultKind kind;
        if (u < scenario.failureProbability()) {
            kind = FaultKind.FAIL;
        } else if (u < scenario.failureProbability() + scenario.stallProbability()) {
            kind = FaultKind.STALL;
        } else if (u < scenario.failureProbability() + scenario.stallProbability() + scenario.restartProbability()) {
            kind = FaultKind.RESTART;
        } else {
            kind = FaultKind.NONE;
        }
        return kind == FaultKind.NONE || runRecords == 0 ? FaultPlan.NONE : new FaultPlan(kind, at, thenFail);
    }

    private static Duration timeFor(long records, double perSecond) {
        return Duration.ofNanos(Math.round(records * 1e9 / perSecond));
    }
}
