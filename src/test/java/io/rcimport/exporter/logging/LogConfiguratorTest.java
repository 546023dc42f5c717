package io.rcimport.exporter.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.rcimport.exporter.testing.LogCapture;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {
    /** A fresh context configured the way logback configures the agent's own at startup. */
    private static LoggerContext configured() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        new ContextInitializer(context).autoConfig();
        return context;
    }

    @Test
    void logback_finds_the_configurator_as_a_service() {
        List<String> found = ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()).toList();
        assertEquals(List.of(LogConfigurator.class.getName()), found);
    }

    @Test
    void text_on_stderr_at_info_with_jetty_and_javalin_at_warn() throws Exception {
        LoggerContext context = configured();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        ConsoleAppender<ILoggingEvent> console = assertInstanceOf(ConsoleAppender.class, root.getAppender(LogConfigurator.APPENDER));
        assertEquals("System.err", console.getTarget());
        assertTrue(console.isStarted());
        LayoutWrappingEncoder<ILoggingEvent> encoder = assertInstanceOf(LayoutWrappingEncoder.class, console.getEncoder());
        assertInstanceOf(TextLayout.class, encoder.getLayout());
        assertEquals(Level.WARN, context.getLogger("org.eclipse.jetty").getLevel());
        assertEquals(Level.WARN, context.getLogger("io.javalin").getLevel());
        // Only this configurator ran: no logback.xml, no default configuration adding a second appender.
        assertEquals(1, java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(root.iteratorForAppenders(), 0), false).count());
    }

    @Test
    void writes_info_and_drops_jetty_info() throws Exception {
        LoggerContext context = configured();
        try (LogCapture logs = LogCapture.start(false)) {
            int mark = logs.mark();
            context.getLogger("io.rcimport.exporter.poll.PollLog").info("target=main event=poll_ok");
            context.getLogger("org.eclipse.jetty.server.Server").info("jetty chatter");
            context.getLogger("org.eclipse.jetty.server.Server").warn("jetty warning");
            List<String> lines = logs.linesSince(mark);
            assertTrue(lines.stream().anyMatch(l -> l.matches("\\S+Z INFO  PollLog - target=main event=poll_ok")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.endsWith("WARN  Server - jetty warning")), lines.toString());
            assertFalse(lines.stream().anyMatch(l -> l.contains("jetty chatter")), lines.toString());
        } finally {
            context.stop();
        }
    }

    @Test
    void an_operators_logback_configuration_file_still_wins(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("logback-own.xml");
        java.nio.file.Files.writeString(file, """
                <configuration>
                  <appender name="OWN" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%msg%n</pattern></encoder>
                  </appender>
                  <root level="DEBUG"><appender-ref ref="OWN"/></root>
                </configuration>
                """);
        System.setProperty(LogConfigurator.CONFIG_FILE_PROPERTY, file.toString());
        try {
            LoggerContext context = configured();
            ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            assertEquals(Level.DEBUG, root.getLevel());
            assertInstanceOf(ConsoleAppender.class, root.getAppender("OWN"));
            assertEquals(null, root.getAppender(LogConfigurator.APPENDER));
            context.stop();
        } finally {
            System.clearProperty(LogConfigurator.CONFIG_FILE_PROPERTY);
        }
    }
}
