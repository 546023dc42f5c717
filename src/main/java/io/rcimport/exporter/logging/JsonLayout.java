package io.rcimport.exporter.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * One JSON object per line for log pipelines: {@code time}, {@code level}, {@code logger},
 * {@code msg}, then the fields ({@code target}, {@code event}, {@code outcome}, {@code state}, …),
 * and {@code error} with the stack trace if any.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String doLayout(ILoggingEvent event) {
        LogFields.Parsed parsed = LogFields.of(event);
        ObjectNode o = JSON.createObjectNode();
        o.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        o.put("level", event.getLevel().toString());
        String logger = event.getLoggerName();
        o.put("logger", logger.substring(logger.lastIndexOf('.') + 1));
        for (Map.Entry<String, String> f : parsed.fields().entrySet()) {
            String key = f.getKey();
            if (key.equals("time") || key.equals("level") || key.equals("logger")) {
                key = "field_" + key;
            }
            o.put(key, f.getValue());
        }
        if (!parsed.message().isEmpty()) {
            o.put(parsed.fields().containsKey("msg") ? "text" : "msg", parsed.message());
        }
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            o.put("error", ThrowableProxyUtil.asString(t));
        }
        return o.toString() + CoreConstants.LINE_SEPARATOR;
    }
}
