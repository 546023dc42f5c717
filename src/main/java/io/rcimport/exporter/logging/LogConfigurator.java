package io.rcimport.exporter.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.util.Map;

/**
 * The agent's logging setup, in code rather than a logback.xml: logback finds this class through
 * {@code META-INF/services/ch.qos.logback.classic.spi.Configurator} and, since it answers
 * {@code DO_NOT_INVOKE_NEXT_IF_ANY}, never starts its XML (Joran) configurator, which loaded
 * about 400 classes (logback's model framework and the JDK's XML parser) for these few lines.
 *
 * <p>Plain text on stderr (appender {@value #APPENDER}; {@link LogFormat} swaps its layout),
 * INFO, and the chatty libraries at WARN. An operator's own file given with
 * {@code -Dlogback.configurationFile=...} still wins: then this configurator steps aside.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    /** The name of the console appender, looked up by {@link LogFormat#apply()}. */
    public static final String APPENDER = "STDERR";
    /** Loggers quieter than the root's INFO. */
    static final Map<String, Level> LEVELS = Map.of(
            "org.eclipse.jetty", Level.WARN,
            "io.javalin", Level.WARN,
            "com.github.tomakehurst.wiremock", Level.WARN,
            "wiremock", Level.WARN);

    /** The system property naming an operator's own logback configuration file. */
    static final String CONFIG_FILE_PROPERTY = "logback.configurationFile";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(CONFIG_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // logback's XML configurator reads that file
        }
        // No status messages on the console (what <statusListener class="NopStatusListener"/> did).
        context.getStatusManager().add(new NopStatusListener());
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER);
        console.setTarget("System.err");
        console.setEncoder(encoder(context, new TextLayout()));
        console.start();
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** A started encoder writing events with {@code layout}. */
    static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext context, LayoutBase<ILoggingEvent> layout) {
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }
}
