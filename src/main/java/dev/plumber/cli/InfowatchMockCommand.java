package dev.plumber.cli;

import dev.plumber.mock.infowatch.InfowatchMockServer;
import dev.plumber.mock.infowatch.MockCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber infowatch-mock}: a push-API server that records events, for testing. */
@Command(
        name = "infowatch-mock",
        mixinStandardHelpOptions = true,
        description = {
            "Run an InfoWatch Traffic Monitor push-API mock that records events (TLS, framed binary Thrift).",
            "It makes a self-signed certificate at start and prints the PEM file to use as the DLP setting caFile."
        })
final class InfowatchMockCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9101", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--company", defaultValue = "Demo", description = "Accepted company (default: ${DEFAULT-VALUE}).")
    String company;

    @Option(names = "--token", defaultValue = "demo-token", description = "Accepted token (default: ${DEFAULT-VALUE}).")
    String token;

    @Option(
            names = "--cert-dir",
            paramLabel = "DIR",
            description = "Where to write the certificate (default: a new temporary directory).")
    Path certDir;

    @Override
    public Integer call() throws Exception {
        Path dir = certDir != null ? certDir : Files.createTempDirectory("plumber-infowatch-mock");
        MockCertificate certificate = MockCertificate.generate(dir);
        InfowatchMockServer server = InfowatchMockServer.start(port, certificate, company, token);
        System.out.println("plumber infowatch-mock: push API on 127.0.0.1:" + server.port() + " (TLS), CA "
                + certificate.caFile());
        System.out.println("DLP settings for the gateway:");
        server.settingsLines("127.0.0.1").forEach(line -> System.out.println("  " + line));
        return Services.runUntilStopped("infowatch-mock", server);
    }
}
