package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plumber.infowatch.thrift.EventProcessor;
import dev.plumber.infowatch.thrift.LicenseError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TIOStreamTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed push-API code is what infowatch/pushapi.thrift generates, and it speaks the reconstructed wire. */
class PushApiIdlTest {
    private static final Path IDL = Path.of("infowatch/pushapi.thrift");
    private static final Path GENERATED = Path.of("src/main/java/dev/plumber/infowatch/thrift");

    @Test
    void theIdlIsTheOneTheCodeWasGeneratedFrom() throws Exception {
        String recorded =
                Files.readString(Path.of("infowatch/pushapi.thrift.sha256")).split("\\s+")[0];
        String actual =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(IDL)));

        assertThat(actual)
                .as("infowatch/pushapi.thrift changed: run infowatch/generate.sh")
                .isEqualTo(recorded);
    }

    @Test
    void regeneratingFromTheIdlGivesTheCommittedCode(@TempDir Path out) throws Exception {
        assumeTrue(onPath("thrift"), "the Thrift compiler is not installed (scripts/test-env.sh installs it)");
        Process generate = new ProcessBuilder("infowatch/generate.sh", out.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(generate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(generate.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(generate.exitValue()).as(log).isZero();

        Path fresh = out.resolve("dev/plumber/infowatch/thrift");
        assertThat(names(fresh)).isEqualTo(names(GENERATED));
        for (String name : names(GENERATED)) {
            assertThat(Files.readString(GENERATED.resolve(name)))
                    .as("%s differs from what infowatch/generate.sh makes", name)
                    .isEqualTo(Files.readString(fresh.resolve(name)));
        }
    }

    @Test
    void aGetVersionCallIsTheBinaryProtocolMessage() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TBinaryProtocol out = new TBinaryProtocol(new TIOStreamTransport(bytes));
        out.writeMessageBegin(new TMessage("GetVersion", TMessageType.CALL, 1));
        new EventProcessor.GetVersion_args().write(out);
        out.writeMessageEnd();

        // Strict binary protocol: version 0x8001 + type CALL, the name, the sequence id, then an empty struct.
        assertThat(HexFormat.of().formatHex(bytes.toByteArray()))
                .isEqualTo("80010001" + "0000000a" + hex("GetVersion") + "00000001" + "00");
    }

    @Test
    void aLicenceErrorFromEndEventTravelsAsFieldThree() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EventProcessor.EndEvent_result result = new EventProcessor.EndEvent_result();
        result.setLicense_error(new LicenseError("expired"));
        result.write(new TBinaryProtocol(new TIOStreamTransport(bytes)));

        // Field 3, type struct (0x0c) holding field 1, type string (0x0b) "expired"; stop; stop.
        assertThat(HexFormat.of().formatHex(bytes.toByteArray()))
                .isEqualTo("0c0003" + "0b0001" + "00000007" + hex("expired") + "00" + "00");
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }
}
