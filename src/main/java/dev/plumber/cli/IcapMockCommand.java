package dev.plumber.cli;

import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import java.io.File;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber icap-mock}: a rule-driven ICAP server that allows or blocks, for testing. */
@Command(
        name = "icap-mock",
        mixinStandardHelpOptions = true,
        description = {
            "Run the ICAP mock DLP (REQMOD service at /request).",
            "Without --rules it uses the demo rules: block card numbers and the word \"confidential\"."
        })
final class IcapMockCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "1344", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--rules", paramLabel = "FILE", description = "Rules file (format: icap/README.md).")
    File rules;

    @Override
    public Integer call() throws Exception {
        MockRules loaded = rules == null ? MockRules.demo() : MockRules.load(rules.toPath());
        IcapMockServer server = IcapMockServer.start(port, loaded);
        System.out.println("plumber icap-mock: icap://127.0.0.1:" + server.port() + "/request, "
                + loaded.rules().size() + " rule(s)");
        return Services.runUntilStopped("icap-mock", server);
    }
}
