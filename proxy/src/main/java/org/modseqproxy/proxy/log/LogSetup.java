package org.modseqproxy.proxy.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/**
 * Chooses the log format at start-up ({@code log.format}): {@code logback.xml} prints text, {@code logback-json.xml}
 * one JSON object per line (logstash-logback-encoder: timestamp, level, logger, message, and the session's key-value
 * pairs as fields). An operator's own {@code -Dlogback.configurationFile} always wins.
 */
public final class LogSetup {
    private LogSetup() {}

    public static void use(boolean json) {
        if (!json || System.getProperty("logback.configurationFile") != null) {
            return;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: leave it alone
        }
        URL config = LogSetup.class.getResource("/logback-json.xml");
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("logback-json.xml: " + e.getMessage(), e);
        }
    }
}
