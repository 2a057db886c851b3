package dev.plumber.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** The logging configurations built into the jar: JSON lines for collectors, readable lines for the demo. */
class LogConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesOneJsonObjectPerEventWithMdcKeyValuesAndTheThrowable() throws Exception {
        List<String> lines = log("logback-json.xml", Map.of(), logger -> {
            MDC.put("eventId", "5f0c9a52-6a3e-4c55-9a53-0d4c2c3f2a10");
            try {
                logger.atInfo()
                        .addKeyValue("status", "BLOCKED")
                        .addKeyValue("system", "icap")
                        .addKeyValue("latencyMs", 42)
                        .log("event {} decided", "5f0c9a52");
            } finally {
                MDC.clear();
            }
            logger.warn("DLP call failed", new IllegalStateException("connection reset\nby peer"));
        });

        assertThat(lines).hasSize(2);
        JsonNode decided = JSON.readTree(lines.get(0));
        assertThat(decided.path("level").asText()).isEqualTo("INFO");
        assertThat(decided.path("loggerName").asText()).isEqualTo("dev.plumber.intake.EventProcessor");
        assertThat(decided.path("formattedMessage").asText()).isEqualTo("event 5f0c9a52 decided");
        assertThat(decided.at("/mdc/eventId").asText()).isEqualTo("5f0c9a52-6a3e-4c55-9a53-0d4c2c3f2a10");
        assertThat(decided.path("kvpList").toString()).contains("\"status\":\"BLOCKED\"", "\"system\":\"icap\"");
        assertThat(decided.path("timestamp").asLong()).isPositive();
        JsonNode failed = JSON.readTree(lines.get(1));
        assertThat(failed.at("/throwable/className").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(failed.at("/throwable/message").asText()).isEqualTo("connection reset\nby peer");
    }

    @Test
    void takesLevelsFromTheEnvironmentNames() throws Exception {
        List<String> lines = log("logback-json.xml", Map.of("PLUMBER_LOG_LEVEL", "WARN"), logger -> {
            logger.info("hidden");
            logger.warn("shown");
        });

        assertThat(lines).singleElement().asString().contains("\"formattedMessage\":\"shown\"");
    }

    @Test
    void keepsTheDemoHumanReadable() throws Exception {
        List<String> lines = log("logback.xml", Map.of(), logger -> logger.info("plumber demo ready"));

        assertThat(lines)
                .singleElement()
                .asString()
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\S+ - plumber demo ready");
    }

    /** Configures a private logger context from a built-in resource and returns what it wrote to stderr. */
    private static List<String> log(String resource, Map<String, String> properties, LogAction action)
            throws Exception {
        LoggerContext context = new LoggerContext();
        // The MDC that org.slf4j.MDC writes to, as the context SLF4J starts would have.
        context.setMDCAdapter(MDC.getMDCAdapter());
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            configurator.doConfigure(LogConfigTest.class.getClassLoader().getResource(resource));
            action.run(context.getLogger("dev.plumber.intake.EventProcessor"));
            context.stop();
        } finally {
            System.setErr(stderr);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @FunctionalInterface
    private interface LogAction {
        void run(Logger logger) throws Exception;
    }
}
