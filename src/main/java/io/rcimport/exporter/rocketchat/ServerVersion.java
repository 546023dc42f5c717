package io.rcimport.exporter.rocketchat;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Rocket.Chat version as {@code /api/info} reports it: {@code "7.11"} (major.minor only, without
 * the {@code view-statistics} permission) or a full {@code "6.2.10"}, {@code "7.0.0-rc.1"}.
 *
 * @param text the server's string as sent (sanitised), for {@code /status} and the info metric
 */
public record ServerVersion(String text, int major, int minor) {
    private static final Pattern MAJOR_MINOR = Pattern.compile("^(\\d{1,4})\\.(\\d{1,4})(?:[.\\-+].*)?$");
    private static final int MAX_TEXT = 64;

    /** The version, if the text starts with major.minor; anything else is unknown, not an error. */
    public static Optional<ServerVersion> parse(String text) {
        String trimmed = text.strip();
        if (trimmed.length() > MAX_TEXT) {
            return Optional.empty();
        }
        Matcher m = MAJOR_MINOR.matcher(trimmed);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ServerVersion(ResponseClassifier.sanitize(trimmed),
                Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }

    /** {@code import.status} exists since Rocket.Chat 6.3. */
    public boolean hasImportStatus() {
        return major > 6 || (major == 6 && minor >= 3);
    }

    /** {@code "6.2"}: what the messages say. */
    public String majorMinor() {
        return major + "." + minor;
    }
}
