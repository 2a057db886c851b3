package dev.plumber.cli;

import dev.plumber.transport.IcapClient;
import dev.plumber.transport.IcapOptions;
import dev.plumber.transport.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plumber icap probe}: ask an ICAP service what it offers. */
@Command(
        name = "icap",
        mixinStandardHelpOptions = true,
        description = "ICAP tools.",
        subcommands = IcapCommand.Probe.class)
final class IcapCommand extends CommandGroup {

    @Command(
            name = "probe",
            mixinStandardHelpOptions = true,
            description = "Send OPTIONS to an ICAP service and print its answer (status, ISTag, Methods, Preview…).")
    static final class Probe implements Callable<Integer> {
        @Parameters(paramLabel = "ICAP-URL", description = "e.g. icap://127.0.0.1:1344/request")
        URI service;

        @Option(names = "--timeout", defaultValue = "5s", description = "Timeout (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--insecure", description = "icaps://: skip certificate checks.")
        boolean insecure;

        @Override
        public Integer call() throws Exception {
            if (!"icap".equals(service.getScheme()) && !"icaps".equals(service.getScheme())) {
                throw new IllegalArgumentException("not an icap:// or icaps:// URL: " + service);
            }
            Duration limit = dev.plumber.settings.Durations.parse(timeout);
            try (IcapClient client = new IcapClient()) {
                IcapOptions options = client.options(service, new TlsSettings(null, !insecure), limit);
                var response = options.response();
                System.out.println("ICAP " + response.status() + " " + response.reason());
                response.headers().fields().forEach(f -> System.out.println(f.getKey() + ": " + f.getValue()));
                return options.ok() ? 0 : 1;
            }
        }
    }
}
