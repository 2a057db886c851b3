package dev.plumber.cli;

import dev.plumber.core.CoreConfig;
import dev.plumber.core.CoreServer;
import java.io.File;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber core}: the messenger core. */
@Command(name = "core", mixinStandardHelpOptions = true, description = "Run the messenger core (HTTP API on 8080).")
final class CoreCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The core's core.yml.")
    File config;

    @Override
    public Integer call() throws Exception {
        CoreServer server = CoreServer.start(CoreConfig.load(config.toPath()));
        return Services.runUntilStopped("core", server);
    }
}
