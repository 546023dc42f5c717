package io.rcimport.exporter.rocketchat;

/**
 * {@code operation.count}. Every field is optional on the wire; an absent one is 0 here
 * (a count that was never written is nothing done yet).
 */
public record ImportCounts(long total, long completed, long error, long users, long channels, long messages) {
    public static final ImportCounts EMPTY = new ImportCounts(0, 0, 0, 0, 0, 0);

    /** Records finished one way or the other: what progress is measured by. */
    public long processed() {
        return completed + error;
    }
}
