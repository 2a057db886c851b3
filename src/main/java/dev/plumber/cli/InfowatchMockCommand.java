package dev.plumber.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber infowatch-mock}: a push-API server that records events, for testing. */
@Command(
        name = "infowatch-mock",
        mixinStandardHelpOptions = true,
        description = "Run an InfoWatch Traffic Monitor push-API mock that records events.")
final class InfowatchMockCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9101", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() {
        throw new NotYetAvailable("the InfoWatch push-API mock");
    }
}
