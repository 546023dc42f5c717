package io.rcimport.exporter.rocketchat;

/**
 * {@code operation.count}. Every field is optional on the wire; an absent one is 0 here
 * (a count that was never written is nothing done yet).
 */
public record ImportCounts(long total, long completed, long error, long users, long channels, long messages) {
    public static final ImportCounts EMPTY = new ImportCounts(0, 0, 0, 0, 0, 0);

    /** The counts by Rocket.Chat's own field names, in its order (for /status and webhook events). */
    public java.util.Map<String, Long> byField() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("total", total);
        m.put("completed", completed);
        m.put("error", error);
        m.put("users", users);
        m.put("channels", channels);
        m.put("messages", messages);
        return m;
    }

    /** Records finished one way or the other: what progress is measured by. */
    public long processed() {
        return completed + error;
    }
}
