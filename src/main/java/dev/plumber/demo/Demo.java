package dev.plumber.demo;

import dev.plumber.api.ConsoleAccounts;
import dev.plumber.auth.PasswordHasher;
import dev.plumber.core.CoreConfig;
import dev.plumber.core.CoreServer;
import dev.plumber.embedded.EmbeddedKafka;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.gateway.Gateway;
import dev.plumber.gateway.Senders;
import dev.plumber.lifecycle.ResourceStack;
import dev.plumber.mock.icap.IcapMockServer;
import dev.plumber.mock.icap.MockRules;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Everything in one JVM on embedded defaults (SPEC §7): Kafka, PostgreSQL, the messenger core, the gateway and the
 * ICAP mock DLP with the demo rules. {@link #close()} stops it all and deletes its data.
 */
public final class Demo implements AutoCloseable {
    /** The demo accounts: the same e-mails, password {@code demo}, in the core and (auditor, admin) in the console. */
    public static final List<String[]> ACCOUNTS = List.of(
            new String[] {"alice@demo.local", "user"},
            new String[] {"bob@demo.local", "user"},
            new String[] {"auditor@demo.local", "auditor"},
            new String[] {"admin@demo.local", "admin"});

    public static final String PASSWORD = "demo";

    /** Where each part listens; SPEC §7 fixes 8080, 8081 and 1344. */
    public record Ports(int core, int gateway, int icap) {
        public static final Ports DEFAULT = new Ports(8080, 8081, 1344);
    }

    private final ResourceStack resources = new ResourceStack();
    private final Ports ports;
    private String kafkaBootstrapServers;

    private Demo(Ports ports) {
        this.ports = ports;
    }

    /**
     * Starts the demo; {@code settings} is the DLP settings source (the demo file, or {@code --settings}). Returns
     * once every part answers.
     */
    public static Demo start(Ports ports, DlpSettingsSource settings) throws Exception {
        Demo demo = new Demo(ports);
        try {
            demo.startAll(settings);
        } catch (Exception | Error e) {
            demo.close();
            throw e;
        }
        return demo;
    }

    private void startAll(DlpSettingsSource settings) throws Exception {
        Path dataDir = Files.createTempDirectory("plumber-demo-");
        resources.push(() -> deleteTree(dataDir));

        EmbeddedPostgres postgres = EmbeddedPostgres.start();
        resources.push(postgres);
        String coreDb = postgres.createDatabase("core");
        String gatewayDb = postgres.createDatabase("gateway");

        EmbeddedKafka kafka = EmbeddedKafka.start();
        resources.push(kafka);
        kafkaBootstrapServers = kafka.bootstrapServers();
        GatewayConfig.Topics topics = GatewayConfig.Topics.DEFAULT;
        createTopics(kafka.bootstrapServers(), topics);

        IcapMockServer icap = IcapMockServer.start(ports.icap(), MockRules.demo());
        resources.push(icap);

        // The service credential the gateway presents to the core's file service.
        String serviceToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
        CoreConfig.Builder core = CoreConfig.builder()
                .port(ports.core())
                .bootstrapServers(kafka.bootstrapServers())
                .store(coreDb, postgres.user(), "")
                .keyFile(dataDir.resolve("core.key"))
                .filesDir(dataDir.resolve("files"))
                .serviceToken(serviceToken)
                .messages(true, false)
                .files(true, false)
                .passwordIterations(DEMO_ITERATIONS);
        ACCOUNTS.forEach(a -> core.account(a[0], PASSWORD, a[1]));
        CoreServer coreServer = CoreServer.start(core.build());
        resources.push(coreServer);

        GatewayConfig config = new GatewayConfig(
                null,
                null,
                new GatewayConfig.Files("http://127.0.0.1:" + coreServer.port(), null, serviceToken),
                new GatewayConfig.Kafka(kafka.bootstrapServers(), "plumber", topics),
                new GatewayConfig.Store(gatewayDb, postgres.user(), ""),
                new GatewayConfig.Http(ports.gateway()),
                new GatewayConfig.Console(null, dataDir.resolve("content.key").toString(), false));
        PasswordHasher hasher = new PasswordHasher(DEMO_ITERATIONS);
        Gateway gateway = Gateway.start(config, settings, Senders.create(config), hasher);
        resources.push(gateway);
        ConsoleAccounts accounts = gateway.consoleAccounts();
        for (String[] account : ACCOUNTS) {
            switch (account[1]) {
                case "auditor" -> accounts.create(account[0], PASSWORD, ConsoleAccounts.Role.AUDITOR);
                case "admin" -> accounts.create(account[0], PASSWORD, ConsoleAccounts.Role.ADMIN);
                default -> {}
            }
        }
    }

    /** Throw-away demo accounts: a tenth of the production work factor keeps log-ins snappy. */
    private static final int DEMO_ITERATIONS = PasswordHasher.DEFAULT_ITERATIONS / 10;

    /** The embedded broker's address; its port is picked at random. */
    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    /** What a person needs to try it. */
    public void printWelcome(PrintStream out) {
        out.println();
        out.println("  messenger core   http://127.0.0.1:" + ports.core() + "/api/v1/   (REST API)");
        out.println("  DLP console      http://127.0.0.1:" + ports.gateway() + "/console/");
        out.println("  requests API     http://127.0.0.1:" + ports.gateway() + "/api/v1/requests");
        out.println("  metrics, health  http://127.0.0.1:" + ports.gateway() + "/metrics  /health/ready");
        out.println("  ICAP mock DLP    icap://127.0.0.1:" + ports.icap()
                + "/request   (blocks card numbers and \"confidential\")");
        out.println("  Kafka            " + kafkaBootstrapServers + "   (topic "
                + GatewayConfig.Topics.DEFAULT.requests() + "; the port changes with each run)");
        out.println();
        out.println("  accounts (password \"" + PASSWORD + "\"):");
        for (String[] account : ACCOUNTS) {
            out.printf("    %-20s %s%n", account[0], account[1]);
        }
        out.println();
        out.println("  try it: examples/walkthrough.sh    stop: Ctrl-C");
        out.println();
    }

    private static void createTopics(String bootstrap, GatewayConfig.Topics topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                            new NewTopic(topics.requests(), 3, (short) 1),
                            new NewTopic(topics.status(), 1, (short) 1),
                            new NewTopic(topics.deadLetter(), 1, (short) 1),
                            new NewTopic(topics.adminEvents(), 1, (short) 1),
                            new NewTopic(topics.systemEvents(), 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        resources.close();
    }
}
