package io.rcimport.exporter.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Several events in one webhook post, for a hook that takes only so many posts a minute.
 * {@code rocketchat}: one message, a header line and one line per event (every target named),
 * cut to Rocket.Chat's 5000-character {@code text} limit with the rest summarised by count.
 * {@code json}: {@code {"kind": "digest", "count": N, "events": [event, ...]}}, each event
 * exactly as it would have been posted alone.
 */
final class Digest {
    /** Rocket.Chat refuses a message whose {@code text} is longer (it counts UTF-16 units, as {@link String#length} does). */
    static final int MAX_TEXT = 5000;
    /** One line of the digest is never longer than this (a long alert summary must not crowd the others out). */
    static final int MAX_LINE = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Digest() {
    }

    static ObjectNode json(List<ImportEvent> events) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "digest");
        o.put("count", events.size());
        ArrayNode list = o.putArray("events");
        events.forEach(e -> list.add(EventJson.event(e)));
        return o;
    }

    static ObjectNode rocketChatMessage(List<ImportEvent> events, int perMinute) {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", text(events, perMinute));
        return o;
    }

    /** The header, then one line per event while they fit, then what did not fit, by count. */
    static String text(List<ImportEvent> events, int perMinute) {
        Set<String> targets = targets(events, 0);
        StringBuilder out = new StringBuilder()
                .append(":bell: *").append(events.size()).append(" import events* on ").append(targets.size())
                .append(targets.size() == 1 ? " target" : " targets")
                .append(perMinute > 0 ? " (sent together: this webhook takes " + perMinute + " posts a minute)" : "")
                .append(':');
        int shown = 0;
        for (ImportEvent e : events) {
            String line = "\n" + cut(EventJson.line(e), MAX_LINE);
            int rest = events.size() - shown - 1;
            // room for this line, and for the summary of the rest if this is not the last
            int reserve = rest == 0 ? 0 : summary(events, shown + 1, MAX_TEXT).length();
            if (out.length() + line.length() + reserve > MAX_TEXT) {
                break;
            }
            out.append(line);
            shown++;
        }
        if (shown < events.size()) {
            out.append(summary(events, shown, MAX_TEXT - out.length()));
        }
        return out.toString();
    }

    /** "…and 12 more events on 3 targets: a, b, c" (as many names as fit in {@code room}, the others counted). */
    private static String summary(List<ImportEvent> events, int from, int room) {
        Set<String> targets = targets(events, from);
        int n = events.size() - from;
        StringBuilder out = new StringBuilder("\n…and ").append(n).append(n == 1 ? " more event" : " more events")
                .append(" on ").append(targets.size()).append(targets.size() == 1 ? " target" : " targets");
        int named = 0;
        for (String t : targets) {
            String name = (named == 0 ? ": " : ", ") + t;
            int unnamedAfter = targets.size() - named - 1;
            // keep room for " and N more", should the names after this one not fit
            String reserve = unnamedAfter == 0 ? "" : " and " + unnamedAfter + " more";
            if (out.length() + name.length() + reserve.length() > room) {
                break;
            }
            out.append(name);
            named++;
        }
        if (named > 0 && named < targets.size()) {
            out.append(" and ").append(targets.size() - named).append(" more");
        }
        return cut(out.toString(), room);
    }

    private static Set<String> targets(List<ImportEvent> events, int from) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = from; i < events.size(); i++) {
            out.add(events.get(i).target());
        }
        return out;
    }

    private static String cut(String s, int max) {
        if (max <= 0) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
