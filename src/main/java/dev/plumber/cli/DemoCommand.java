package dev.plumber.cli;

import dev.plumber.demo.Demo;
import dev.plumber.settings.FileDlpSettingsSource;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber demo}: the whole path in one process on embedded defaults (SPEC §7). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run everything in one process: embedded Kafka and PostgreSQL, the messenger core (8080),",
            "the gateway and console (8081) and the ICAP mock DLP (1344). Ctrl-C stops it."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description = "DLP settings as key=value lines (default: config/demo-dlp.settings).")
    File settings;

    @Override
    public Integer call() throws Exception {
        var source =
                FileDlpSettingsSource.read(settings == null ? Home.config("demo-dlp.settings") : settings.toPath());
        Demo.Ports ports = Demo.Ports.DEFAULT;
        System.out.println("plumber demo: starting Kafka, PostgreSQL, the core, the gateway and the ICAP mock…");
        Demo demo = Demo.start(ports, source);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.out.println("plumber demo: stopping…");
            demo.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        awaitReady(URI.create("http://127.0.0.1:" + ports.gateway() + "/health/ready"), Duration.ofSeconds(60));
        Demo.printWelcome(System.out, ports);
        System.out.println("plumber demo ready");
        stopped.await();
        return 0;
    }

    private static void awaitReady(URI health, Duration timeout) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response =
                        http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
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
