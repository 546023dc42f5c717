package io.rcimport.exporter.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import org.slf4j.event.KeyValuePair;

/** {@code 2026-11-29T10:41:20.052Z WARN  poll - target=main event=poll_failed outcome=timeout msg="…"}. */
public final class TextLayout extends LayoutBase<ILoggingEvent> {
    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(Instant.ofEpochMilli(event.getTimeStamp())).append(' ');
        String level = event.getLevel().toString();
        sb.append(level);
        for (int i = level.length(); i < 5; i++) {
            sb.append(' ');
        }
        String logger = event.getLoggerName();
        sb.append(' ').append(logger.substring(logger.lastIndexOf('.') + 1)).append(" - ");
        sb.append(event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                sb.append(' ').append(kv.key).append('=').append(quoteIfNeeded(String.valueOf(kv.value)));
            }
        }
        sb.append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            sb.append(ThrowableProxyUtil.asString(t)).append(CoreConstants.LINE_SEPARATOR);
        }
        return sb.toString();
    }

    static String quoteIfNeeded(String v) {
        return v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=')
                ? '"' + v.replace("\"", "\\\"") + '"' : v;
    }
}
