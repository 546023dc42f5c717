package io.rcimport.exporter.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus-style durations, as in Prometheus' {@code model.ParseDuration}: one or more
 * {@code <integer><unit>} parts with units {@code y, w, d, h, m, s, ms} in descending order,
 * e.g. {@code 500ms}, {@code 15s}, {@code 1h30m}, {@code 1w}. A year is 365 days, a week 7.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile(
            "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
    private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?\\d+(?:\\.\\d*)?");
    private static final String EXAMPLES = "use e.g. 500ms, 15s, 2m, 1h";

    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;
    private static final long YEAR = 365 * DAY;

    /** Unit sizes in milliseconds, in the order of the capture groups of {@link #DURATION}. */
    private static final long[] GROUP_MILLIS = {YEAR, WEEK, DAY, HOUR, MINUTE, SECOND, 1};

    private Durations() {
    }

    /**
     * Parses {@code text}; {@code key} names the configuration key in the error message.
     * Zero ({@code 0s}) is a valid duration here; whether it is allowed is the caller's rule.
     */
    public static Duration parse(String key, String text) throws ConfigException {
        if (BARE_NUMBER.matcher(text).matches()) {
            throw new ConfigException(key, text + " has no unit; add one (" + EXAMPLES + ")");
        }
        Matcher m = DURATION.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            throw new ConfigException(key, "\"" + text + "\" is not a duration (" + EXAMPLES + ")");
        }
        try {
            long millis = 0;
            for (int group = 1; group <= GROUP_MILLIS.length; group++) {
                String digits = m.group(group);
                if (digits != null) {
                    millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(digits), GROUP_MILLIS[group - 1]));
                }
            }
            return Duration.ofMillis(millis);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ConfigException(key, "\"" + text + "\" is too large a duration");
        }
    }

    /**
     * The shortest Prometheus form, truncated to milliseconds: {@code 1m30s}, {@code 250ms},
     * {@code 0s}. Like Prometheus, years and weeks are used only when they divide exactly
     * ({@code 2w}, but {@code 90d} rather than {@code 12w6d}).
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        millis = append(out, millis, YEAR, "y", true);
        millis = append(out, millis, WEEK, "w", true);
        millis = append(out, millis, DAY, "d", false);
        millis = append(out, millis, HOUR, "h", false);
        millis = append(out, millis, MINUTE, "m", false);
        millis = append(out, millis, SECOND, "s", false);
        append(out, millis, 1, "ms", false);
        return out.toString();
    }

    private static long append(StringBuilder out, long millis, long unit, String suffix, boolean onlyIfExact) {
        if (onlyIfExact && millis % unit != 0) {
            return millis;
        }
        long count = millis / unit;
        if (count > 0) {
            out.append(count).append(suffix);
        }
        return millis - count * unit;
    }
}
