package io.rcimport.exporter.storage;

import io.rcimport.exporter.storage.SavedState.SavedAlert;
import io.rcimport.exporter.storage.SavedState.SavedImport;
import io.rcimport.exporter.storage.SavedState.SavedPayload;
import io.rcimport.exporter.storage.SavedState.SavedQueue;
import io.rcimport.exporter.storage.SavedState.SavedSample;
import io.rcimport.exporter.storage.SavedState.SavedTarget;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SavedStates with typical content, for the storage tests. */
final class StateFixtures {
    static final Instant T0 = Instant.parse("2026-05-02T09:00:00Z");

    private StateFixtures() {
    }

    /** A Rocket.Chat {@code import.status} body as it comes, for target {@code i}. */
    static String body(int i) {
        return "{\"success\":true,\"importerKey\":\"csv\",\"state\":\"importer_importing_users\",\"operation\":{\"_id\":\"op-" + i
                + "\",\"type\":\"csv\",\"importerKey\":\"csv\",\"status\":\"importer_importing_users\",\"valid\":true,"
                + "\"_updatedAt\":\"2026-05-02T08:59:45.123Z\",\"count\":{\"total\":120000,\"completed\":"
                + (1000 * i) + ",\"error\":3,\"users\":5000,\"channels\":300,\"messages\":114700}},\"count\":{\"completed\":"
                + (1000 * i) + ",\"total\":120000,\"error\":3}}";
    }

    /** Target {@code i}: a last good poll with {@code samples} samples, and {@code alerts} alerts. */
    static SavedTarget target(int i, int samples, int alerts) {
        List<SavedSample> history = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            history.add(new SavedSample(T0.minusSeconds(15L * (samples - s)), 1000L * i + 50L * s));
        }
        SavedImport last = new SavedImport(T0, body(i), T0.minusSeconds(3600), Optional.of(T0.minusSeconds(15)),
                "op-" + i, history);
        List<SavedAlert> firing = new ArrayList<>();
        for (int a = 0; a < alerts; a++) {
            firing.add(new SavedAlert(a % 2 == 0 ? "RocketChatImportStalled" : "RocketChatImportAwaitingOperator",
                    a % 2 == 0 ? "warning" : "info", a == 1 ? Optional.empty() : Optional.of("op-" + i),
                    "Import on target-" + i + " stalled",
                    "operation op-" + i + " at importer_importing_users has not progressed for 10m (completed " + (1000 * i) + " of 120000)",
                    T0.minusSeconds(600 + a)));
        }
        return new SavedTarget("target-" + i, Optional.of(last), firing);
    }

    /** Everything a state can hold: a target without a poll, Optionals both ways, text and binary payloads. */
    static SavedState full() {
        SavedTarget never = new SavedTarget("never-polled", Optional.empty(), List.of());
        SavedTarget noHeartbeat = new SavedTarget("no-heartbeat",
                Optional.of(new SavedImport(T0, "{\"success\":true,\"état\":\"déjà\"}", T0, Optional.empty(), "", List.of())),
                List.of());
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0xc3};
        SavedQueue webhook = new SavedQueue("webhook-0", "3f2a9c0d", List.of(
                new SavedPayload("application/json", "{\"text\":\"Import on main: done ✅\"}".getBytes(StandardCharsets.UTF_8)),
                new SavedPayload("application/octet-stream", binary)));
        SavedQueue alertmanager = new SavedQueue("alertmanager-0", "77aa01", List.of());
        return new SavedState(SavedState.FORMAT, T0.plusMillis(2345), List.of(target(1, 3, 2), never, noHeartbeat),
                List.of(webhook, alertmanager));
    }

    /** {@code targets} targets with 20 samples and 2 alerts each, and a few kept deliveries. */
    static SavedState typical(int targets) {
        List<SavedTarget> all = new ArrayList<>();
        for (int i = 0; i < targets; i++) {
            all.add(target(i, 20, 2));
        }
        List<SavedPayload> waiting = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            waiting.add(new SavedPayload("application/json", ("{\"text\":\"Import on target-" + p + ": importer_importing_users -> "
                    + "importer_done\"}").getBytes(StandardCharsets.UTF_8)));
        }
        return new SavedState(SavedState.FORMAT, T0, all, List.of(new SavedQueue("webhook-0", "3f2a9c0d", waiting)));
    }
}
