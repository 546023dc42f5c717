package io.rcimport.exporter.alert;

import io.rcimport.exporter.rocketchat.ImportCounts;
import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.ImportState;
import io.rcimport.exporter.status.TargetSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The alert table of DESIGN.md as a pure function: a target's snapshot and the time → the
 * alerts that fire now. {@code startsAt} is {@code now}; the evaluator keeps the first one.
 */
public final class AlertConditions {
    private AlertConditions() {
    }

    /**
     * @param watchedSince when the agent began polling the target: a target that has never had a
     *                     good poll is down only once {@code staleAfter} has passed since then, so
     *                     one failed first poll (a timeout at startup, a 429) pages nobody
     */
    public static List<Alert> evaluate(TargetSnapshot s, Instant now, Duration staleAfter, Instant watchedSince) {
        List<Alert> firing = new ArrayList<>(2);
        String target = s.target();
        Optional<ImportOperation> op = s.operation();
        Optional<String> opId = op.map(ImportOperation::id).filter(id -> !id.isEmpty());
        String since = s.stateSince().map(Instant::toString).orElse("unknown");
        // Import alerts come from the last known status, fresh or not: a failed import whose server
        // then stops answering is still failed, and resolving the alert would tell a human the
        // opposite. TargetDown fires beside it. (The Prometheus rules cannot do this: the series
        // they read vanish with staleness.)
        if (s.status().isPresent()) {
            ImportState state = s.state();
            if (state == ImportState.ERROR) {
                firing.add(failed(s, op, opId, since, now));
            } else if (state == ImportState.CANCELED) {
                firing.add(new Alert(Alert.CANCELED, Severity.WARNING, target, opId,
                        "Rocket.Chat import on " + target + " was canceled",
                        "Import on target " + target + " is canceled since " + since + ". " + details(s), now));
            } else if (state == ImportState.DONE && s.counts().error() > 0) {
                ImportCounts c = s.counts();
                String numbers = c.error() + " of " + c.total() + " records failed";
                firing.add(new Alert(Alert.COMPLETED_WITH_ERRORS, Severity.WARNING, target, opId,
                        "Rocket.Chat import on " + target + " finished with errors: " + numbers,
                        "Import on target " + target + " is done since " + since + ", but " + numbers
                                + "; their data stays in the staging area. " + details(s)
                                + " Check the Rocket.Chat server log for the failed records and import them again.",
                        now));
            }
            if (s.stalled()) {
                String heartbeat = op.flatMap(ImportOperation::updatedAt).map(Instant::toString).orElse("unknown");
                firing.add(new Alert(Alert.STALLED, Severity.WARNING, target, opId,
                        "Rocket.Chat import on " + target + " is stalled",
                        "Import on target " + target + " is " + s.state().label() + " but has not written any progress since "
                                + heartbeat + ". " + details(s) + " The importer may be stuck; check the server log and load.",
                        now));
            }
            if (s.awaitingOperator()) {
                firing.add(awaitingOperator(s, op, opId, now));
            }
        }
        Instant lastGoodOrStart = s.lastSuccessAt().orElse(watchedSince);
        if (s.polled() && Duration.between(lastGoodOrStart, now).compareTo(staleAfter) > 0) {
            boolean human = s.lastOutcome().map(o -> o.needsHuman()).orElse(false);
            String outcome = s.lastOutcome().map(o -> o.label()).orElse("none");
            String last = s.lastSuccessAt().map(Instant::toString).orElse("never");
            firing.add(new Alert(Alert.TARGET_DOWN, human ? Severity.CRITICAL : Severity.WARNING, target, opId,
                    "Rocket.Chat import status of " + target + " cannot be read",
                    "No good poll of target " + target + " since " + last + " (last outcome " + outcome + ": "
                            + s.lastError().map(e -> e.message()).orElse("") + ")."
                            + (human ? " This needs a configuration fix (credentials, run-import permission, URL or server version)." : ""),
                    now));
        }
        return firing;
    }

    /**
     * Critical only for a real failure (the importer failed a valid operation). An operation that
     * was invalidated (cleared, replaced, a server instance restarted) and then aborted by the
     * importer, or left invalid mid-step, is a warning: someone or something stopped it on purpose.
     */
    private static Alert failed(TargetSnapshot s, Optional<ImportOperation> op, Optional<String> opId, String since, Instant now) {
        boolean failed = op.map(ImportOperation::failedByImporter).orElse(false);
        boolean aborted = op.map(ImportOperation::abortedAfterInvalidation).orElse(false);
        String cause = failed
                ? "the importer reported a failure"
                : aborted
                ? "the operation was invalidated (cleared, replaced by a new import, or a server instance restarted) and then aborted by the importer"
                : "the operation was invalidated (cleared, replaced by a new import, or a server instance restarted) mid-import";
        return new Alert(Alert.FAILED, failed ? Severity.CRITICAL : Severity.WARNING, s.target(), opId,
                "Rocket.Chat import on " + s.target() + " is in state error",
                "Import on target " + s.target() + " is in state error since " + since + ": " + cause + ". "
                        + details(s) + " Check Administration > Import and the Rocket.Chat server log.",
                now);
    }

    private static Alert awaitingOperator(TargetSnapshot s, Optional<ImportOperation> op, Optional<String> opId, Instant now) {
        String waitingSince = s.heartbeatSince().map(Instant::toString).orElse("unknown");
        return new Alert(Alert.AWAITING_OPERATOR, Severity.INFO, s.target(), opId,
                "Rocket.Chat import on " + s.target() + " is waiting for an admin",
                "Import on target " + s.target() + " has been waiting for an admin since " + waitingSince + ": "
                        + operatorStep(op) + " " + details(s),
                now);
    }

    /** What the admin has to do at the step the import waits at. */
    public static String operatorStep(Optional<ImportOperation> op) {
        return op.map(ImportOperation::status).filter("importer_user_selection"::equals).isPresent()
                ? "open Administration > Import, check the users and channels to import and press Start."
                : "open Administration > Import and open the uploaded file's import to prepare it (a file of the wrong type stays here forever).";
    }

    static String details(TargetSnapshot s) {
        Optional<ImportOperation> op = s.operation();
        if (op.isEmpty()) {
            return "";
        }
        ImportCounts c = op.get().counts();
        String progress = s.progressRatio().isPresent()
                ? String.format(Locale.ROOT, "%.1f %%", s.progressRatio().getAsDouble() * 100)
                : "unknown";
        return "Operation " + op.get().id() + " (" + op.get().type() + "), status " + op.get().status()
                + ", valid=" + op.get().valid() + ", progress " + progress + " (" + c.completed() + " completed, "
                + c.error() + " failed of " + c.total() + ").";
    }
}
