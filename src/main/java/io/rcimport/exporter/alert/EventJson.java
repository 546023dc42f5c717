package io.rcimport.exporter.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rcimport.exporter.rocketchat.ImportCounts;
import java.util.Locale;

/**
 * The two webhook formats. {@code json}: the event as an object (documented in the README).
 * {@code rocketchat}: an incoming-webhook message, a readable line plus an attachment coloured
 * by severity.
 */
public final class EventJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {
    }

    public static ObjectNode event(ImportEvent e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", e.kind().label());
        o.put("target", e.target());
        o.put("from", e.from());
        o.put("to", e.to());
        o.put("status", e.status());
        o.put("valid", e.valid());
        if (e.operationId().isPresent()) {
            o.put("operation_id", e.operationId().get());
        } else {
            o.putNull("operation_id");
        }
        ObjectNode counts = o.putObject("counts");
        e.counts().byField().forEach(counts::put);
        if (e.progress().isPresent()) {
            o.put("progress", e.progress().getAsDouble());
        } else {
            o.putNull("progress");
        }
        o.put("at", e.at().toString());
        if (e.alert().isPresent()) {
            Alert a = e.alert().get();
            ObjectNode alert = o.putObject("alert");
            alert.put("alertname", a.name());
            alert.put("severity", a.severity().label());
            alert.put("summary", a.summary());
            alert.put("description", a.description());
            alert.put("starts_at", a.startsAt().toString());
        } else {
            o.putNull("alert");
        }
        o.put("after_restart", e.afterRestart());
        ObjectNode labels = o.putObject("labels");
        e.labels().forEach(labels::put);
        return o;
    }

    /** A Rocket.Chat incoming-webhook message: {@code {"text": ..., "attachments": [...]}}. */
    public static ObjectNode rocketChatMessage(ImportEvent e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", line(e));
        ObjectNode att = o.putArray("attachments").addObject();
        att.put("color", color(e));
        att.put("title", e.alert().map(Alert::summary).orElse("Import on " + e.target() + ": " + e.from() + " → " + e.to()));
        att.put("text", e.alert().map(Alert::description).orElse(progressText(e)));
        att.put("ts", e.at().toString());
        return o;
    }

    static String line(ImportEvent e) {
        String progress = progressText(e);
        return switch (e.kind()) {
            case STATE_CHANGE -> icon(e) + " *" + e.target() + "*: import " + e.from() + " → *" + e.to() + "*"
                    + (e.status().isEmpty() ? "" : " (" + e.status() + (e.valid() ? "" : ", invalid") + ")")
                    + (progress.isEmpty() ? "" : ", " + progress)
                    + (e.afterRestart() ? " (seen after the agent restarted)" : "");
            case ALERT_FIRING -> icon(e) + " *FIRING* " + e.alert().map(a -> a.name() + " [" + a.severity().label() + "]").orElse("")
                    + " on *" + e.target() + "*: " + e.alert().map(Alert::summary).orElse("");
            case ALERT_RESOLVED -> ":white_check_mark: *RESOLVED* " + e.alert().map(Alert::name).orElse("") + " on *" + e.target() + "*";
        };
    }

    private static String progressText(ImportEvent e) {
        ImportCounts c = e.counts();
        if (c.total() <= 0) {
            return "";
        }
        String pct = e.progress().isPresent() ? String.format(Locale.ROOT, "%.1f %%", e.progress().getAsDouble() * 100) : "?";
        return pct + " (" + c.completed() + " done, " + c.error() + " failed of " + c.total() + ")";
    }

    private static String icon(ImportEvent e) {
        if (e.alert().isPresent()) {
            return switch (e.alert().get().severity()) {
                case CRITICAL -> ":rotating_light:";
                case WARNING -> ":warning:";
                case INFO -> ":information_source:";
            };
        }
        return switch (e.to()) {
            case "error" -> ":x:";
            case "done" -> ":white_check_mark:";
            case "canceled" -> ":no_entry_sign:";
            default -> ":information_source:";
        };
    }

    static String color(ImportEvent e) {
        if (e.kind() == ImportEvent.Kind.ALERT_RESOLVED) {
            return "#2de0a5";
        }
        if (e.alert().isPresent()) {
            return switch (e.alert().get().severity()) {
                case CRITICAL -> "#f5455c";
                case WARNING -> "#ffd21f";
                case INFO -> "#1d74f5";
            };
        }
        return switch (e.to()) {
            case "error" -> "#f5455c";
            case "done" -> "#2de0a5";
            default -> "#1d74f5";
        };
    }
}
