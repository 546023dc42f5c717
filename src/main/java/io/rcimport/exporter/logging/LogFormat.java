package io.rcimport.exporter.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** {@code --log-format text|json}: swaps the layout of the console appender set up by {@link LogConfigurator}. */
public enum LogFormat {
    TEXT, JSON;

    public static LogFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("--log-format must be text or json, not " + s);
        };
    }

    public void apply() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Appender<ILoggingEvent> appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(LogConfigurator.APPENDER);
        if (!(appender instanceof ConsoleAppender<ILoggingEvent> console)) {
            return;
        }
        LayoutWrappingEncoder<ILoggingEvent> encoder = LogConfigurator.encoder(context,
                this == JSON ? new JsonLayout() : new TextLayout());
        console.stop();
        console.setEncoder(encoder);
        console.start();
    }
}
