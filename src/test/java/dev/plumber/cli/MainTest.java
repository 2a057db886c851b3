package dev.plumber.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.CliRun;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void everyCommandOfTheSpecHasHelp() {
        CommandLine cli = new CommandLine(new Main());
        List<List<String>> commands = List.of(
                List.of("demo"),
                List.of("core"),
                List.of("gateway"),
                List.of("icap-mock"),
                List.of("infowatch-mock"),
                List.of("icap", "probe"),
                List.of("config", "check"),
                List.of("dlq", "replay"),
                List.of("outbox", "parked"),
                List.of("outbox", "requeue-parked"),
                List.of("infowatch", "manifest"),
                List.of("console", "check-views"));
        for (List<String> command : commands) {
            CommandLine sub = cli;
            for (String name : command) {
                sub = sub.getSubcommands().get(name);
                assertThat(sub).as("command %s", command).isNotNull();
            }
            String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            CliRun run = CliRun.of(args);
            assertThat(run.code()).as("exit code of %s --help", command).isZero();
            assertThat(run.out()).contains("Usage: plumber " + String.join(" ", command));
        }
    }

    @Test
    void unknownCommandsAndBadFlagsFailWithOneLine() {
        CliRun unknown = CliRun.of("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err().strip().lines()).hasSize(1);
        assertThat(unknown.err()).startsWith("plumber: ").contains("frobnicate");

        CliRun badFlag = CliRun.of("icap-mock", "--port", "many");
        assertThat(badFlag.code()).isEqualTo(2);
        assertThat(badFlag.err().strip().lines()).hasSize(1);
        assertThat(badFlag.err()).contains("--port");

        CliRun missing = CliRun.of("gateway");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--config");
    }

    @Test
    void aMissingConfigFileIsAOneLineError() {
        CliRun run = CliRun.of("config", "check", "--config", "/nonexistent/plumber.yml");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains("/nonexistent/plumber.yml");
    }

    @Test
    void theTopLevelHelpSummarisesEachCommandInAWholeSentence() {
        CliRun run = CliRun.of("--help");

        // One entry per command: its name and summary, wrapped onto further, deeper indented lines when long.
        List<String> entries = new java.util.ArrayList<>();
        run.out().lines().dropWhile(line -> !line.equals("Commands:")).skip(1).forEach(line -> {
            if (line.matches(" {2}\\S.*")) {
                entries.add(line.strip());
            } else if (!entries.isEmpty()) {
                entries.add(entries.removeLast() + " " + line.strip());
            }
        });
        assertThat(entries).hasSizeGreaterThan(5);
        assertThat(entries).allSatisfy(entry -> assertThat(entry).endsWith("."));
        assertThat(entries).anySatisfy(entry -> assertThat(entry).startsWith("demo "));
    }

    @Test
    void aMissingRulesFileSaysWhatWentWrong() {
        CliRun run = CliRun.of("icap-mock", "--port", "0", "--rules", "/nonexistent/rules.yml");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("plumber: cannot read rules file /nonexistent/rules.yml: no such file");
    }
}
