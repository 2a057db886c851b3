package dev.plumber.cli;

import dev.plumber.infowatch.PluginManifest;
import java.io.File;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber infowatch manifest}: the Traffic Monitor plugin manifest. */
@Command(
        name = "infowatch",
        mixinStandardHelpOptions = true,
        description = "InfoWatch Traffic Monitor tools.",
        subcommands = InfowatchCommand.Manifest.class)
final class InfowatchCommand extends CommandGroup {

    @Command(
            name = "manifest",
            mixinStandardHelpOptions = true,
            description = {
                "Print and validate the Traffic Monitor plugin manifest (infowatch/manifest.json).",
                "Exit code 1 with the reason when it is invalid."
            })
    static final class Manifest implements Callable<Integer> {
        @Option(
                names = "--file",
                paramLabel = "FILE",
                description =
                        "A manifest to check instead of the one built into Plumber (icons are looked up beside it).")
        File file;

        @Option(
                names = "--imservice",
                paramLabel = "MNEMO",
                description = "Also check that this DLP 'imservice' value is a service of the plugin.")
        String imservice;

        @Override
        public Integer call() throws Exception {
            PluginManifest manifest = file == null ? PluginManifest.bundled() : PluginManifest.load(file.toPath());
            if (imservice != null) {
                manifest.checkService(imservice);
            }
            System.out.println(manifest.text().strip());
            System.out.println("valid: plugin " + manifest.pluginId() + " " + manifest.version() + ", services "
                    + String.join(", ", manifest.serviceMnemos()) + ", file hash header " + manifest.objectHeader());
            return 0;
        }
    }
}
