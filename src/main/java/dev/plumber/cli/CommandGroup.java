package dev.plumber.cli;

import picocli.CommandLine;

/** A command that only groups subcommands ({@code plumber icap probe}, …): alone it is a usage error. */
abstract class CommandGroup implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
