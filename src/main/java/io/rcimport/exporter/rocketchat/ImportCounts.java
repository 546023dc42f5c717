package io.rcimport.exporter.rocketchat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code operation.count}. Every field is optional on the wire; an absent one is 0 here
 * (a count that was never written is nothing done yet). {@code contacts} exists since 7.x
 * (omnichannel contacts are imported in every import, between users and channels).
 */
public record ImportCounts(long total, long completed, long error, long users, long channels, long messages, long contacts) {
    public static final ImportCounts EMPTY = new ImportCounts(0, 0, 0, 0, 0, 0, 0);

    /** Without contacts: what servers before 7.x send. */
    public ImportCounts(long total, long completed, long error, long users, long channels, long messages) {
        this(total, completed, error, users, channels, messages, 0);
    }

    /** The counts by Rocket.Chat's own field names, in its order (for /status and webhook events). */
    public Map<String, Long> byField() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("total", total);
        m.put("completed", completed);
        m.put("error", error);
        m.put("users", users);
        m.put("channels", channels);
        m.put("messages", messages);
        m.put("contacts", contacts);
        return m;
    }

    /** Records finished one way or the other: what progress is measured by. */
    public long processed() {
        return completed + error;
    }
}
