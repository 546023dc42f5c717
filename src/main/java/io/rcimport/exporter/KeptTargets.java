package io.rcimport.exporter;

import io.rcimport.exporter.alert.Alert;
import io.rcimport.exporter.alert.Severity;
import io.rcimport.exporter.rocketchat.ImportStatus;
import io.rcimport.exporter.rocketchat.ImportStatusParser;
import io.rcimport.exporter.rocketchat.InvalidResponseException;
import io.rcimport.exporter.status.LastGoodImport;
import io.rcimport.exporter.status.PollHealth;
import io.rcimport.exporter.status.ProgressHistory;
import io.rcimport.exporter.status.RawStatus;
import io.rcimport.exporter.status.ServerFacts;
import io.rcimport.exporter.status.TargetSnapshot;
import io.rcimport.exporter.storage.SavedState.SavedAlert;
import io.rcimport.exporter.storage.SavedState.SavedImport;
import io.rcimport.exporter.storage.SavedState.SavedSample;
import io.rcimport.exporter.storage.SavedState.SavedTarget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A target's part of the kept state, both ways: what of its snapshot and firing alerts goes to
 * disk ({@link #saved}), and the snapshot and alerts a restarted agent starts from
 * ({@link #restore}). A restored snapshot has had no poll yet ({@code /ready} still waits) and
 * is marked restored (stale) until the first poll confirms or replaces it; the first poll's
 * transition is then computed against it, so a change that happened while the agent was down
 * is reported like any other.
 */
final class KeptTargets {
    private KeptTargets() {
    }

    /** What is kept of one target: the last good status (raw body, history), the firing alerts. */
    static SavedTarget saved(TargetSnapshot s, Collection<Alert> firing) {
        Optional<SavedImport> good = s.lastGood().map(g -> new SavedImport(g.fetchedAt(),
                new String(g.raw().bodyInPlace(), StandardCharsets.UTF_8), g.stateSince(), g.heartbeatSince(),
                g.history().operationId(),
                g.history().samples().stream().map(x -> new SavedSample(x.at(), x.processed())).toList()));
        List<SavedAlert> alerts = firing.stream()
                .filter(a -> a.target().equals(s.target()))
                .map(a -> new SavedAlert(a.name(), a.severity().label(), a.operationId(), a.summary(), a.description(), a.startsAt()))
                .toList();
        return new SavedTarget(s.target(), good, alerts);
    }

    /** A target as a restarted agent starts it: its kept snapshot and alerts. */
    record Restored(TargetSnapshot snapshot, List<Alert> alerts) {
    }

    /**
     * The kept target back as a snapshot and alerts; a kept status that no longer parses (a
     * format change) is dropped, never a reason not to start.
     */
    static Restored restore(SavedTarget saved) {
        Optional<LastGoodImport> good = saved.lastGood().flatMap(KeptTargets::lastGood);
        TargetSnapshot snapshot = new TargetSnapshot(saved.name(), PollHealth.none(), good, ServerFacts.unknown());
        List<Alert> alerts = new ArrayList<>();
        for (SavedAlert a : saved.alerts()) {
            severity(a.severity()).ifPresent(sev -> alerts.add(
                    new Alert(a.name(), sev, saved.name(), a.operationId(), a.summary(), a.description(), a.startsAt())));
        }
        return new Restored(snapshot, alerts);
    }

    private static Optional<LastGoodImport> lastGood(SavedImport kept) {
        byte[] body = kept.rawBody().getBytes(StandardCharsets.UTF_8);
        ImportStatus status;
        try {
            status = ImportStatusParser.parse(body);
        } catch (InvalidResponseException e) {
            return Optional.empty();
        }
        ProgressHistory history = new ProgressHistory(kept.historyOperationId(),
                kept.samples().stream().map(x -> new ProgressHistory.Sample(x.at(), x.processed())).toList());
        // Rate, ETA, stall and the operator wait are the first poll's to compute: the kept
        // values would be as old as the file.
        return Optional.of(new LastGoodImport(kept.fetchedAt(), status, RawStatus.of(body, kept.fetchedAt()), kept.stateSince(),
                history, OptionalDouble.empty(), OptionalDouble.empty(), false, false, kept.heartbeatSince(), true));
    }

    private static Optional<Severity> severity(String label) {
        for (Severity s : Severity.values()) {
            if (s.label().equals(label.toLowerCase(Locale.ROOT))) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
