package dev.plumber.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the two warnings the embedded broker gives in every demo run, neither of them about a fault: at start, that
 * its new metadata log is empty (it always is, the broker's directory being new), and at stop, that it closed one of
 * its own network clients twice. Every other warning from the same loggers still shows. Declared in
 * {@code logback-levels.xml}.
 */
public final class BrokerNoise extends TurboFilter {
    private static final String CONTROLLER = "org.apache.kafka.controller.QuorumController";
    private static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level != Level.WARN || format == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        boolean noise = name.equals(CONTROLLER) && format.contains("The metadata log appears to be empty.")
                || name.equals(NETWORK_CLIENT) && format.endsWith("that has already been closed.");
        return noise ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
