package dev.plumber.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.console.ViewJournal;
import dev.plumber.gateway.Connections;
import dev.plumber.settings.GatewayConfig;
import java.io.File;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber console check-views}: verifies the hash chain of the console's views journal. */
@Command(
        name = "console",
        mixinStandardHelpOptions = true,
        description = "DLP console tools.",
        subcommands = ConsoleCommand.CheckViews.class)
final class ConsoleCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    @Command(
            name = "check-views",
            mixinStandardHelpOptions = true,
            description = "Recompute the views journal's hash chain; exit 1 naming the first altered, missing or"
                    + " inserted record.")
    static final class CheckViews implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway's plumber.yml.")
        File config;

        @Override
        public Integer call() throws Exception {
            GatewayConfig cfg = GatewayConfig.load(config.toPath());
            try (HikariDataSource dataSource = Connections.dataSource(cfg.store())) {
                ViewJournal.Check check = new ViewJournal(dataSource, Clock.systemUTC()).verify();
                if (!check.intact()) {
                    System.err.println("plumber: views journal broken: " + check.problem() + " (" + check.checked()
                            + " records before it intact)");
                    return 1;
                }
                System.out.println("views journal intact: " + check.checked() + " records");
                return 0;
            }
        }
    }
}
