package dev.plumber.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code plumber infowatch manifest}: the Traffic Monitor plugin manifest. */
@Command(
        name = "infowatch",
        mixinStandardHelpOptions = true,
        description = "InfoWatch Traffic Monitor tools.",
        subcommands = InfowatchCommand.Manifest.class)
final class InfowatchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    @Command(
            name = "manifest",
            mixinStandardHelpOptions = true,
            description = "Print and validate the Traffic Monitor plugin manifest (infowatch/manifest.json).")
    static final class Manifest implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new NotYetAvailable("the InfoWatch plugin manifest check");
        }
    }
}
