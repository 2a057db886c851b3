package dev.plumber.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The gateway's validated, immutable {@code plumber.yml} (SPEC §2); every section has documented defaults. */
public record GatewayConfig(
        Etcd etcd, DlpClient dlpClient, Files files, Kafka kafka, Store store, Http http, Console console) {

    public GatewayConfig {
        etcd = Objects.requireNonNullElseGet(etcd, () -> new Etcd(null, null, null, null, null));
        dlpClient = Objects.requireNonNullElseGet(dlpClient, () -> new DlpClient(null, null, null));
        files = Objects.requireNonNullElseGet(files, () -> new Files(null, null, null));
        kafka = Objects.requireNonNullElseGet(kafka, () -> new Kafka(null, null, null));
        store = Objects.requireNonNullElseGet(store, () -> new Store(null, null, null));
        http = Objects.requireNonNullElseGet(http, () -> new Http(null));
        console = Objects.requireNonNullElseGet(console, () -> new Console(null, null, null, null));
    }

    public static GatewayConfig load(Path file) throws InvalidSettingsException {
        return ConfigLoader.load(file, GatewayConfig.class, System.getenv());
    }

    public static GatewayConfig load(Path file, Map<String, String> env) throws InvalidSettingsException {
        return ConfigLoader.load(file, GatewayConfig.class, env);
    }

    /** Where DLP settings come from; without endpoints they come from a local settings file. */
    public record Etcd(
            List<String> endpoints,
            List<String> prefixes,
            Duration timeout,
            String user,
            String password,
            String cacheFile) {
        public Etcd {
            endpoints = List.copyOf(Objects.requireNonNullElse(endpoints, List.of()));
            prefixes = List.copyOf(Objects.requireNonNullElse(prefixes, List.of("development")));
            timeout = Objects.requireNonNullElse(timeout, Duration.ofSeconds(5));
            cacheFile = Objects.requireNonNullElse(cacheFile, "");
        }

        /** Without a settings cache. */
        public Etcd(List<String> endpoints, List<String> prefixes, Duration timeout, String user, String password) {
            this(endpoints, prefixes, timeout, user, password, null);
        }

        public boolean enabled() {
            return !endpoints.isEmpty();
        }
    }

    /**
     * {@code icapConnections}: the most connections open to one ICAP address, busy or idle; fewer when the server's
     * OPTIONS answer names a lower {@code Max-Connections}. An ICAP server that gives each connection a thread of its
     * own for the connection's life (c-icap does) must have that many threads free for the gateway's replicas.
     */
    public record DlpClient(Duration timeout, Boolean debug, Integer icapConnections) {
        private static final int MAX_ICAP_CONNECTIONS = 1024;

        public DlpClient {
            timeout = Objects.requireNonNullElse(timeout, Duration.ofSeconds(5));
            debug = Objects.requireNonNullElse(debug, false);
            icapConnections = Objects.requireNonNullElse(icapConnections, 16);
            if (icapConnections < 1 || icapConnections > MAX_ICAP_CONNECTIONS) {
                throw new IllegalArgumentException("dlpClient.icapConnections must be from 1 to " + MAX_ICAP_CONNECTIONS
                        + ", not " + icapConnections);
            }
        }
    }

    /** The messenger core's file service; {@code token} is the gateway's service credential there. */
    public record Files(String url, Duration timeout, String token) {
        public Files {
            url = Objects.requireNonNullElse(url, "http://127.0.0.1:8080");
            if (!url.matches("(?i)https?://[^/?#\\s]+([/?#]\\S*)?")) {
                // Checked here, not at the first file: a file the gateway cannot fetch is tried again for ever.
                throw new IllegalArgumentException(
                        "files.url must be an http:// or https:// URL such as http://files.example, not '" + url + "'");
            }
            timeout = Objects.requireNonNullElse(timeout, Duration.ofSeconds(5));
            token = Objects.requireNonNullElse(token, "");
        }
    }

    /**
     * {@code sessionTimeout}: how long the group waits for a silent (crashed) member before its partitions move to
     * another replica. {@code maxPollInterval}: Kafka's {@code max.poll.interval.ms}, how long the consumer may go
     * between polls before it leaves its group (default 5m, Kafka's own). The gateway polls every 100 ms whatever the
     * DLP does, so this only matters for a stuck gateway. {@code fetchWait}: Kafka's {@code fetch.max.wait.ms}, how
     * long the broker holds a fetch for events to come (10ms): the most an event of a trickle waits to be fetched, and
     * how often an idle gateway asks.
     */
    public record Kafka(
            String bootstrapServers,
            String groupId,
            Topics topics,
            Duration sessionTimeout,
            Duration maxPollInterval,
            Duration fetchWait) {
        /** Kafka's request timeout is 30 s; a fetch waiting near it would time out instead of answering. */
        private static final Duration MAX_FETCH_WAIT = Duration.ofSeconds(5);

        public Kafka {
            bootstrapServers = Objects.requireNonNullElse(bootstrapServers, "127.0.0.1:9092");
            groupId = Objects.requireNonNullElse(groupId, "plumber");
            topics = Objects.requireNonNullElse(topics, Topics.DEFAULT);
            sessionTimeout = Objects.requireNonNullElse(sessionTimeout, Duration.ofSeconds(45));
            maxPollInterval = Objects.requireNonNullElse(maxPollInterval, Duration.ofMinutes(5));
            fetchWait = Objects.requireNonNullElse(fetchWait, Duration.ofMillis(10));
            if (fetchWait.toMillis() < 1 || fetchWait.compareTo(MAX_FETCH_WAIT) > 0) {
                // Kafka reads the wait in whole milliseconds; 0 would have an idle gateway ask without pause.
                throw new IllegalArgumentException("kafka.fetchWait must be from 1ms to " + MAX_FETCH_WAIT.toSeconds()
                        + "s, not " + fetchWait.toMillis() + "ms");
            }
        }

        public Kafka(String bootstrapServers, String groupId, Topics topics) {
            this(bootstrapServers, groupId, topics, null, null, null);
        }
    }

    /** The gateway's topics, and the core's journals it reads into the console (named as in the core's config). */
    public record Topics(String requests, String status, String deadLetter, String adminEvents, String systemEvents) {
        public static final Topics DEFAULT = new Topics(null, null, null);

        public Topics {
            requests = Objects.requireNonNullElse(requests, "dlp.requests");
            status = Objects.requireNonNullElse(status, "dlp.status");
            deadLetter = Objects.requireNonNullElse(deadLetter, "dlp.requests.dlq");
            adminEvents = Objects.requireNonNullElse(adminEvents, "admin-events");
            systemEvents = Objects.requireNonNullElse(systemEvents, "system-events");
        }

        /** With the journals' default names. */
        public Topics(String requests, String status, String deadLetter) {
            this(requests, status, deadLetter, null, null);
        }
    }

    public record Store(String url, String user, String password) {
        public Store {
            url = Objects.requireNonNullElse(url, "jdbc:postgresql://127.0.0.1:5432/plumber");
            user = Objects.requireNonNullElse(user, "plumber");
            password = Objects.requireNonNullElse(password, "");
        }
    }

    public record Http(Integer port) {
        public Http {
            port = Objects.requireNonNullElse(port, 8081);
        }
    }

    /**
     * The auditor console. {@code contentKeyFile}: the key sealing message texts in the status store (created on the
     * first start; empty: a random key for this run only). {@code previousContentKeyFiles}: keys that sealed texts
     * before the last rotation, still opening (and finding) them; they must exist. {@code secureCookies}: mark
     * session cookies Secure (on when the console is served over TLS, directly or behind a TLS proxy).
     */
    public record Console(
            Account bootstrapAdmin,
            String contentKeyFile,
            List<String> previousContentKeyFiles,
            Boolean secureCookies) {
        public Console {
            bootstrapAdmin = Objects.requireNonNullElseGet(bootstrapAdmin, () -> new Account(null, null));
            contentKeyFile = Objects.requireNonNullElse(contentKeyFile, "");
            previousContentKeyFiles = List.copyOf(Objects.requireNonNullElse(previousContentKeyFiles, List.of()));
            secureCookies = Objects.requireNonNullElse(secureCookies, false);
        }

        public Console(Account bootstrapAdmin, String contentKeyFile, Boolean secureCookies) {
            this(bootstrapAdmin, contentKeyFile, null, secureCookies);
        }

        public Console(Account bootstrapAdmin) {
            this(bootstrapAdmin, null, null, null);
        }
    }

    public record Account(String email, String password) {
        public Account {
            email = Objects.requireNonNullElse(email, "");
            password = Objects.requireNonNullElse(password, "");
        }
    }
}
