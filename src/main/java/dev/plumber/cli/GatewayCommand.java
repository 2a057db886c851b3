package dev.plumber.cli;

import dev.plumber.auth.PasswordHasher;
import dev.plumber.gateway.Gateway;
import dev.plumber.gateway.Senders;
import dev.plumber.settings.GatewayConfig;
import java.io.File;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber gateway}: consume DLP events, deliver them, track statuses, serve the console. */
@Command(
        name = "gateway",
        mixinStandardHelpOptions = true,
        description = "Run the gateway: Kafka → DLP, statuses in PostgreSQL, console/API/metrics on 8081.")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway's plumber.yml.")
    File config;

    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description = "DLP settings as key=value lines, used when etcd.endpoints is empty"
                    + " (default: config/demo-dlp.settings).")
    File settings;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg = GatewayConfig.load(config.toPath());
        Gateway gateway =
                Gateway.start(cfg, SettingsSources.open(cfg, settings), Senders.create(cfg), new PasswordHasher());
        return Services.runUntilStopped("gateway", gateway);
    }
}
