package io.rcimport.exporter.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LayoutTest {
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String logger, String message, Object... args) {
        LoggingEvent e = new LoggingEvent("fqcn", context.getLogger(logger), Level.WARN, message, null, args);
        e.setTimeStamp(1_795_948_826_091L);
        return e;
    }

    @Test
    void json_lines_carry_target_outcome_and_state_as_fields() throws Exception {
        String line = new JsonLayout().doLayout(event("poll",
                "target={} event=poll_failed outcome={} msg=\"{}\"", "main", "timeout", "no complete answer within 5000 ms"));
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("main", json.get("target").asText());
        assertEquals("poll_failed", json.get("event").asText());
        assertEquals("timeout", json.get("outcome").asText());
        assertEquals("no complete answer within 5000 ms", json.get("msg").asText());
        assertEquals("WARN", json.get("level").asText());
        assertEquals("poll", json.get("logger").asText());
        assertEquals("2026-11-29T10:40:26.091Z", json.get("time").asText());
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one object per line: " + line);
    }

    @Test
    void foreign_loggers_keep_their_message_whole() throws Exception {
        JsonNode json = new ObjectMapper().readTree(new JsonLayout().doLayout(event("org.eclipse.jetty.server.Server", "a=b c")));
        assertEquals("a=b c", json.get("msg").asText());
        assertFalse(json.has("a"));
    }

    @Test
    void quoted_values_may_hold_quotes_and_spaces() throws Exception {
        JsonNode json = new ObjectMapper().readTree(new JsonLayout().doLayout(
                event("alert", "target=x summary=\"Import on \\\"x\\\" failed\"")));
        assertEquals("Import on \"x\" failed", json.get("summary").asText());
    }

    @Test
    void text_lines_are_one_line_with_time_level_and_logger() {
        String line = new TextLayout().doLayout(event("io.rcimport.exporter.Main", "event=started port={}", 9467));
        assertEquals("2026-11-29T10:40:26.091Z WARN  Main - event=started port=9467\n", line.replace(System.lineSeparator(), "\n"));
    }

    @Test
    void an_unknown_log_format_is_rejected() {
        assertEquals(LogFormat.JSON, LogFormat.parse("JSON"));
        assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("xml"));
    }
}
