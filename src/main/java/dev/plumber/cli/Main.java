package dev.plumber.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code plumber <command>}: the one entry point of the jar (SPEC §1). */
@Command(
        name = "plumber",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "DLP integration gateway for a corporate messenger.",
        subcommands = {
            DemoCommand.class,
            CoreCommand.class,
            GatewayCommand.class,
            IcapMockCommand.class,
            InfowatchMockCommand.class,
            IcapCommand.class,
            ConfigCommand.class,
            DlqCommand.class,
            OutboxCommand.class,
            InfowatchCommand.class,
            ConsoleCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 on success). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr()
                    .println("plumber: " + e.getMessage() + " (see '"
                            + cmd.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("plumber: " + oneLine(e));
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.replace('\n', ' ');
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"plumber " + (version == null ? "dev" : version)};
        }
    }
}
