package dev.plumber.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.gateway.Connections;
import dev.plumber.settings.ConfigLoader;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import java.io.File;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plumber config check}: the effective configuration, where each value came from, and what is wrong. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Configuration tools.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand extends CommandGroup {

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Read plumber.yml and the DLP settings (etcd or --settings), print the effective settings with the",
                "source of each value (secrets masked), check Kafka and PostgreSQL answer; exit 1 with the reasons",
                "when anything is invalid or unreachable."
            })
    static final class Check implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway's plumber.yml.")
        File config;

        @Option(names = "--settings", paramLabel = "FILE", description = "DLP settings file, when etcd is not used.")
        File settings;

        @Override
        public Integer call() throws Exception {
            Map<String, String> env = System.getenv();
            GatewayConfig cfg = GatewayConfig.load(config.toPath(), env);
            System.out.println("# " + config);
            for (ConfigLoader.Effective e : ConfigLoader.explain(config.toPath(), cfg, env)) {
                System.out.printf("%-32s = %-40s (%s)%n", e.key(), e.value(), e.source());
            }
            List<String> problems = new ArrayList<>();
            try (DlpSettingsSource source = SettingsSources.open(cfg, settings)) {
                Optional<DlpSettings> dlp =
                        awaitSettings(source, cfg.etcd().timeout().multipliedBy(2));
                System.out.println();
                System.out.println("# DLP settings ("
                        + (cfg.etcd().enabled() ? "etcd " + cfg.etcd().prefixes() : "file") + ")");
                if (dlp.isPresent()) {
                    System.out.println(dlp.get().describe());
                } else {
                    problems.add("DLP settings: " + source.problem());
                }
            }
            checkKafka(cfg, problems);
            checkStore(cfg, problems);
            System.out.println();
            if (problems.isEmpty()) {
                System.out.println("configuration OK");
                return 0;
            }
            problems.forEach(p -> System.err.println("plumber: " + p));
            return 1;
        }

        private static Optional<DlpSettings> awaitSettings(DlpSettingsSource source, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (source.current().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            return source.current();
        }

        private static void checkKafka(GatewayConfig cfg, List<String> problems) {
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka().bootstrapServers(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000",
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000"))) {
                admin.describeCluster().nodes().get(6, TimeUnit.SECONDS);
            } catch (Exception e) {
                problems.add("Kafka at " + cfg.kafka().bootstrapServers() + " does not answer: " + Main.oneLine(e));
            }
        }

        private static void checkStore(GatewayConfig cfg, List<String> problems) {
            try (HikariDataSource dataSource = Connections.dataSource(cfg.store());
                    Connection c = dataSource.getConnection()) {
                c.isValid(5);
            } catch (Exception e) {
                problems.add("PostgreSQL at " + cfg.store().url() + " does not answer: " + Main.oneLine(e));
            }
        }
    }
}
