package io.rcimport.exporter.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.event.KeyValuePair;

/**
 * The fields of one log line: the SLF4J key-value pairs, and the {@code key=value} /
 * {@code key="quoted value"} tokens our own messages are written in, so that log pipelines get
 * {@code target}, {@code event}, {@code outcome}, {@code state} as fields.
 */
final class LogFields {
    private static final Pattern TOKEN = Pattern.compile("([a-z_]+)=(\"((?:[^\"\\\\]|\\\\.)*)\"|[^\\s\"]+)");

    private LogFields() {
    }

    /** Fields and the rest of the message (what is not a {@code key=value} token). */
    record Parsed(Map<String, String> fields, String message) {
    }

    static Parsed of(ILoggingEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                fields.put(kv.key, String.valueOf(kv.value));
            }
        }
        String message = event.getFormattedMessage();
        if (message == null) {
            return new Parsed(fields, "");
        }
        if (!event.getLoggerName().startsWith("io.rcimport") && !isOurShortName(event.getLoggerName())) {
            return new Parsed(fields, message);
        }
        StringBuilder rest = new StringBuilder();
        Matcher m = TOKEN.matcher(message);
        int last = 0;
        while (m.find()) {
            rest.append(message, last, m.start());
            String value = m.group(3) != null ? m.group(3).replace("\\\"", "\"") : m.group(2);
            fields.put(m.group(1), value);
            last = m.end();
        }
        rest.append(message.substring(last));
        return new Parsed(fields, rest.toString().replaceAll("\\s+", " ").trim());
    }

    private static boolean isOurShortName(String logger) {
        return logger.equals("poll") || logger.equals("alert");
    }
}
