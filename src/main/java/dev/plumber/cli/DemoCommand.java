package dev.plumber.cli;

import dev.plumber.demo.Demo;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.FileDlpSettingsSource;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber demo}: the whole path in one process on embedded defaults (SPEC §7). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        // The first line is the summary that "plumber --help" lists.
        description = {
            "Run the whole path in one process on embedded defaults.",
            "Embedded Kafka and PostgreSQL, the messenger core (8080), the gateway and",
            "console (8081) and the ICAP mock DLP (1344). Ctrl-C or SIGTERM stops it and",
            "deletes its data."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description = "DLP settings as key=value lines (default: config/demo-dlp.settings).")
    File settings;

    @Option(
            names = "--core-port",
            paramLabel = "PORT",
            defaultValue = "8080",
            description = "The messenger core's port (default: ${DEFAULT-VALUE}).")
    int corePort;

    @Option(
            names = "--gateway-port",
            paramLabel = "PORT",
            defaultValue = "8081",
            description = "The gateway's and console's port (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(
            names = "--icap-port",
            paramLabel = "PORT",
            defaultValue = "1344",
            description = "The ICAP mock's port (default: ${DEFAULT-VALUE}), which the gateway calls unless"
                    + " --settings names another address.")
    int icapPort;

    @Override
    public Integer call() throws Exception {
        DlpSettingsSource source = settings != null
                ? FileDlpSettingsSource.read(settings.toPath())
                : icapPort == Demo.Ports.DEFAULT.icap()
                        ? FileDlpSettingsSource.read(Home.config("demo-dlp.settings"))
                        // The demo's file names the mock at its usual port; the gateway calls it where it runs.
                        : DlpSettingsSource.fixed(DlpSettings.fromMap(
                                Map.of("system", "icap", "address", "icap://127.0.0.1:" + icapPort + "/request")));
        Demo.Ports ports = new Demo.Ports(corePort, gatewayPort, icapPort);
        // Before anything starts: a signal during the start stops the demo once it has started.
        StopSignals stop = StopSignals.install();
        System.out.println("plumber demo: starting Kafka, PostgreSQL, the core, the gateway and the ICAP mock…");
        try (Demo demo = Demo.start(ports, source)) {
            if (awaitReady(URI.create("http://127.0.0.1:" + ports.gateway() + "/health/ready"), stop)) {
                demo.printWelcome(System.out);
                System.out.println("plumber demo ready");
                stop.await();
            }
            System.out.println("plumber demo: stopping…");
        }
        System.out.println("plumber demo stopped");
        return 0;
    }

    /** Waits for the gateway to be ready; false when a stop was asked for first. */
    private static boolean awaitReady(URI health, StopSignals stop) throws Exception {
        Duration timeout = Duration.ofSeconds(60);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (stop.requested()) {
                return false;
            }
            try {
                HttpResponse<String> response =
                        http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return true;
                }
                last = response.body();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the gateway did not become ready within " + timeout + ": " + last);
    }
}
