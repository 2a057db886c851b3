package dev.plumber.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server that answers garbage, stalls, trickles or hangs up must cost a call at most its deadline and end in an
 * {@link IOException} that says what happened: never a hang, never another exception. Each misbehaviour is tried
 * where it hurts differently: on OPTIONS, on a REQMOD whose body fits the preview, and after {@code 100 Continue}
 * while the body is still being written.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IcapClientHostileServerTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    /** Room for closing the socket and joining the body writer after the deadline. */
    private static final Duration GRACE = Duration.ofMillis(1500);

    private static final HttpRequestHead POST =
            HttpRequestHead.of("POST", "http://vkteams/", IcapHeaders.of("Host", "vkteams"));
    private static final String BLOCK_HEAD =
            "ICAP/1.0 200 OK\r\nISTag: \"s1\"\r\nEncapsulated: res-hdr=0, res-body=26\r\n\r\n"
                    + "HTTP/1.1 403 Forbidden\r\n\r\n";
    private static final String BLOCK = BLOCK_HEAD + "4\r\nstop\r\n0\r\n\r\n";

    /** Where in an exchange the server starts to misbehave. */
    enum Stage {
        OPTIONS,
        REQMOD,
        AFTER_CONTINUE
    }

    static Stream<Arguments> misbehaviours() {
        List<Arguments> cases = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            cases.add(Arguments.of(stage, "stays silent", stall("")));
            cases.add(Arguments.of(stage, "hangs up without answering", hangUp("")));
            cases.add(Arguments.of(stage, "hangs up mid-answer", hangUp(BLOCK.substring(0, 90))));
            cases.add(Arguments.of(stage, "stalls mid-answer", stall(BLOCK.substring(0, 90))));
            cases.add(Arguments.of(stage, "stalls mid-chunk", stall(BLOCK_HEAD + "4\r\nst")));
            cases.add(Arguments.of(stage, "answers HTTP", stall("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
            cases.add(Arguments.of(stage, "sends a bad chunk size", stall(BLOCK_HEAD + "zz\r\n")));
            cases.add(Arguments.of(stage, "announces a huge chunk", stall(BLOCK_HEAD + "7fffffffffffffff\r\nab")));
            cases.add(Arguments.of(stage, "sends a head that never ends", (ScriptedIcapServer.Behaviour) out -> {
                write(out, "ICAP/1.0 200 OK\r\nX-Long: ");
                for (int i = 0; i < 200; i++) {
                    write(out, "a".repeat(1024));
                }
            }));
            cases.add(Arguments.of(stage, "sends a body that never ends", (ScriptedIcapServer.Behaviour) out -> {
                write(out, BLOCK_HEAD);
                while (true) {
                    write(out, "400\r\n" + "x".repeat(1024) + "\r\n");
                }
            }));
            cases.add(Arguments.of(stage, "trickles 100 Continue forever", (ScriptedIcapServer.Behaviour) out -> {
                while (true) {
                    write(out, ScriptedIcapServer.CONTINUE);
                    Thread.sleep(20);
                }
            }));
            cases.add(Arguments.of(stage, "sends one byte at a time", (ScriptedIcapServer.Behaviour) out -> {
                for (char c : BLOCK.toCharArray()) {
                    write(out, String.valueOf(c));
                    Thread.sleep(50);
                }
            }));
            Random random = new Random(42 + stage.ordinal());
            for (int i = 0; i < 4; i++) {
                byte[] garbage = new byte[1 + random.nextInt(2000)];
                random.nextBytes(garbage);
                String text = new String(garbage, StandardCharsets.ISO_8859_1);
                boolean hangUp = random.nextBoolean();
                cases.add(Arguments.of(
                        stage,
                        "sends " + garbage.length + " random bytes" + (hangUp ? " and hangs up" : ""),
                        hangUp ? hangUp(text) : stall(text)));
            }
        }
        return cases.stream();
    }

    /** Writes the bytes, then keeps the connection open without reading until the client must have given up. */
    private static ScriptedIcapServer.Behaviour stall(String wire) {
        return out -> {
            write(out, wire);
            Thread.sleep(TIMEOUT.plus(GRACE).toMillis() + 500);
        };
    }

    /** Writes the bytes, then closes the connection. */
    private static ScriptedIcapServer.Behaviour hangUp(String wire) {
        return out -> write(out, wire);
    }

    @ParameterizedTest(name = "{0}: server {1}")
    @MethodSource("misbehaviours")
    void failsWithinTheDeadlineWithAnIoException(Stage stage, String what, ScriptedIcapServer.Behaviour behaviour)
            throws Exception {
        ScriptedIcapServer.Action action = new ScriptedIcapServer.Run(behaviour);
        // After 100 Continue the client is still writing the body when the server starts to misbehave.
        ScriptedIcapServer.Action continueThenAction = new ScriptedIcapServer.Run(out -> {
            write(out, ScriptedIcapServer.CONTINUE);
            behaviour.writeTo(out);
        });
        try (ScriptedIcapServer server = new ScriptedIcapServer((connection, part) -> switch (stage) {
                    case OPTIONS -> action;
                    case REQMOD ->
                        part.request().method().equals("OPTIONS")
                                ? new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK)
                                : action;
                    case AFTER_CONTINUE ->
                        switch (part.kind()) {
                            case PREVIEW_END -> continueThenAction;
                            case COMPLETE -> new ScriptedIcapServer.Send(ScriptedIcapServer.OPTIONS_OK);
                        };
                });
                IcapClient client = new IcapClient(4, Clock.systemUTC())) {
            URI service = URI.create("icap://127.0.0.1:" + server.port() + "/req");
            if (stage != Stage.OPTIONS) {
                // OPTIONS with a generous deadline first, so that only the REQMOD meets the misbehaviour.
                assertThat(client.options(service, TlsSettings.defaults(), Duration.ofSeconds(5))
                                .ok())
                        .isTrue();
            }
            // Fits the preview (4 bytes) at REQMOD; at AFTER_CONTINUE big enough to still be writing.
            byte[] body = new byte[stage == Stage.AFTER_CONTINUE ? 4_000_000 : 3];
            long start = System.nanoTime();

            Throwable thrown = catchThrowable(() -> {
                IcapResponse unexpected = client.reqmod(
                        service, TlsSettings.defaults(), IcapHeaders.empty(), POST, IcapBody.of(body), TIMEOUT);
                throw new AssertionError("expected a failure, got " + unexpected);
            });

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown).as(what).isInstanceOf(IOException.class);
            assertThat(thrown.getMessage()).as(what).isNotBlank();
            assertThat(took).as(what + ": " + thrown).isLessThan(TIMEOUT.plus(GRACE));
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
