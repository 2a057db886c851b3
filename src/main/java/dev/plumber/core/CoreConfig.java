package dev.plumber.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.plumber.settings.ConfigLoader;
import dev.plumber.settings.InvalidSettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The messenger core's validated, immutable {@code core.yml} (SPEC §2): the gateway's key names where they mean the
 * same, plus the seed's DLP flags {@code gbld.*}, {@code DLP.*} and {@code resortClient.timeout} with their meaning.
 */
public record CoreConfig(
        Http http,
        Kafka kafka,
        Store store,
        Files files,
        Gbld gbld,
        @JsonProperty("DLP") Dlp dlp,
        ResortClient resortClient,
        Blocking blocking,
        Users users,
        MessageLimits messages) {

    public CoreConfig {
        http = Objects.requireNonNullElseGet(http, () -> new Http(null));
        kafka = Objects.requireNonNullElseGet(kafka, () -> new Kafka(null, null, null));
        store = Objects.requireNonNullElseGet(store, () -> new Store(null, null, null, null, null));
        files = Objects.requireNonNullElseGet(files, () -> new Files(null, null, null));
        gbld = Objects.requireNonNullElseGet(gbld, () -> new Gbld(null, null));
        dlp = Objects.requireNonNullElseGet(dlp, () -> new Dlp(null, null));
        resortClient = Objects.requireNonNullElseGet(resortClient, () -> new ResortClient(null));
        blocking = Objects.requireNonNullElseGet(blocking, () -> new Blocking(null));
        users = Objects.requireNonNullElseGet(users, () -> new Users(null, null, null, null, null));
        messages = Objects.requireNonNullElseGet(messages, () -> new MessageLimits(null));
    }

    public static CoreConfig load(Path file) throws InvalidSettingsException {
        return ConfigLoader.load(file, CoreConfig.class, System.getenv());
    }

    public static CoreConfig load(Path file, Map<String, String> env) throws InvalidSettingsException {
        return ConfigLoader.load(file, CoreConfig.class, env);
    }

    /** Starts a configuration in code (the demo, tests) from the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    public record Http(Integer port) {
        public Http {
            port = Objects.requireNonNullElse(port, 8080);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("http.port must be 0..65535, not " + port);
            }
        }
    }

    /** The queue; {@code groupId} is the core's consumer group on the status topic. */
    public record Kafka(String bootstrapServers, String groupId, Topics topics) {
        public Kafka {
            bootstrapServers = Objects.requireNonNullElse(bootstrapServers, "127.0.0.1:9092");
            groupId = Objects.requireNonNullElse(groupId, "plumber-core");
            topics = Objects.requireNonNullElseGet(topics, () -> new Topics(null, null, null, null));
        }
    }

    /**
     * DLP events go to {@code requests}, the gateway's verdicts come back on {@code status}; the core's journals go to
     * {@code adminEvents} and {@code systemEvents}.
     */
    public record Topics(String requests, String status, String adminEvents, String systemEvents) {
        public Topics {
            requests = Objects.requireNonNullElse(requests, "dlp.requests");
            status = Objects.requireNonNullElse(status, "dlp.status");
            adminEvents = Objects.requireNonNullElse(adminEvents, "admin-events");
            systemEvents = Objects.requireNonNullElse(systemEvents, "system-events");
        }
    }

    /**
     * PostgreSQL, and the key file that encrypts message text at rest (kept apart from the database);
     * {@code previousKeyFiles}: keys in use before the last rotation, still opening what they sealed.
     */
    public record Store(String url, String user, String password, Path keyFile, List<Path> previousKeyFiles) {
        public Store {
            url = Objects.requireNonNullElse(url, "jdbc:postgresql://127.0.0.1:5432/plumber");
            user = Objects.requireNonNullElse(user, "plumber");
            password = Objects.requireNonNullElse(password, "");
            keyFile = Objects.requireNonNullElse(keyFile, Path.of("data/core-message.key"));
            previousKeyFiles = List.copyOf(Objects.requireNonNullElse(previousKeyFiles, List.of()));
        }
    }

    /** Uploaded files: where they live, the largest accepted, and the gateway's credential for {@code /get/}. */
    public record Files(Path dir, Long maxSize, String serviceToken) {
        public Files {
            dir = Objects.requireNonNullElse(dir, Path.of("data/files"));
            maxSize = Objects.requireNonNullElse(maxSize, 100L * 1024 * 1024);
            serviceToken = Objects.requireNonNullElse(serviceToken, "");
            if (maxSize <= 0) {
                throw new IllegalArgumentException("files.maxSize must be positive, not " + maxSize);
            }
        }
    }

    /**
     * The seed's message flags: {@code check_dlp} produces message events; {@code check_dlp_sync} produces them inside
     * the send, so a message is refused while the queue is unavailable.
     */
    public record Gbld(
            @JsonProperty("check_dlp") Boolean checkDlp, @JsonProperty("check_dlp_sync") Boolean checkDlpSync) {
        public Gbld {
            checkDlp = Objects.requireNonNullElse(checkDlp, true);
            checkDlpSync = Objects.requireNonNullElse(checkDlpSync, false);
        }
    }

    /** The seed's file flags: {@code isActive} produces file events; {@code syncSend} as check_dlp_sync, for files. */
    public record Dlp(Boolean isActive, Boolean syncSend) {
        public Dlp {
            isActive = Objects.requireNonNullElse(isActive, true);
            syncSend = Objects.requireNonNullElse(syncSend, false);
        }
    }

    /** How long a synchronous produce may take before the client gets an error. */
    public record ResortClient(Duration timeout) {
        public ResortClient {
            timeout = Objects.requireNonNullElse(timeout, Duration.ofSeconds(3));
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("resortClient.timeout must be positive");
            }
        }
    }

    /**
     * What a {@code BLOCKED} status from the gateway does: with {@code hideBlocked} a blocked message's text is shown
     * only to its sender and a blocked file is downloadable only by its uploaders and the service credential.
     */
    public record Blocking(Boolean hideBlocked) {
        public Blocking {
            hideBlocked = Objects.requireNonNullElse(hideBlocked, true);
        }
    }

    /**
     * Accounts created at start when missing, the password hashing cost, how long a sign-in lasts, and log-in
     * throttling: after {@code loginFailures} failed log-ins to one account from one address, further attempts from
     * there are refused (HTTP 429) for {@code loginLockout}, doubled by each failure after it up to an hour.
     */
    public record Users(
            List<Account> bootstrap,
            Integer passwordIterations,
            Duration sessionTtl,
            Integer loginFailures,
            Duration loginLockout) {
        public Users {
            bootstrap = List.copyOf(Objects.requireNonNullElse(bootstrap, List.of()));
            passwordIterations = Objects.requireNonNullElse(passwordIterations, 600_000);
            sessionTtl = Objects.requireNonNullElse(sessionTtl, Duration.ofHours(24));
            loginFailures = Objects.requireNonNullElse(loginFailures, 5);
            loginLockout = Objects.requireNonNullElse(loginLockout, Duration.ofMinutes(1));
            if (loginFailures < 1) {
                throw new IllegalArgumentException("users.loginFailures must be positive");
            }
            if (loginLockout.toSeconds() < 1) {
                throw new IllegalArgumentException("users.loginLockout must be at least 1s");
            }
            if (passwordIterations < 1) {
                throw new IllegalArgumentException("users.passwordIterations must be positive");
            }
            if (sessionTtl.toSeconds() < 1) {
                throw new IllegalArgumentException("users.sessionTtl must be at least 1s");
            }
        }
    }

    /** Messages: the longest accepted text in characters (longer ones get HTTP 413). */
    public record MessageLimits(Integer maxLength) {
        public MessageLimits {
            maxLength = Objects.requireNonNullElse(maxLength, 64 * 1024);
            if (maxLength < 1) {
                throw new IllegalArgumentException("messages.maxLength must be positive, not " + maxLength);
            }
        }
    }

    /** One bootstrap account; {@code role} is admin, user or auditor. */
    public record Account(String email, String password, String role) {
        public Account {
            if (email == null || email.isBlank() || password == null || password.isEmpty()) {
                throw new IllegalArgumentException("a bootstrap account needs an email and a password");
            }
            role = Objects.requireNonNullElse(role, "user");
            if (!List.of("admin", "user", "auditor").contains(role)) {
                throw new IllegalArgumentException("role must be admin, user or auditor, not '" + role + "'");
            }
        }

        /** Never prints the password (config check, logs). */
        @Override
        public String toString() {
            return "Account[email=" + email + ", password=****, role=" + role + "]";
        }
    }

    /** Builds a {@link CoreConfig} in code; unset values keep the defaults of {@code config/core.yml}. */
    public static final class Builder {
        private Integer port;
        private String bootstrapServers;
        private String requestsTopic;
        private String statusTopic;
        private String groupId;
        private Boolean hideBlocked;
        private String adminEventsTopic;
        private String systemEventsTopic;
        private String url;
        private String user;
        private String password;
        private Path keyFile;
        private List<Path> previousKeyFiles;
        private Path filesDir;
        private Long maxFileSize;
        private String serviceToken;
        private Boolean checkDlp;
        private Boolean checkDlpSync;
        private Boolean filesActive;
        private Boolean filesSync;
        private Duration resortTimeout;
        private Integer passwordIterations;
        private Duration sessionTtl;
        private Integer loginFailures;
        private Duration loginLockout;
        private Integer maxMessageLength;
        private final List<Account> accounts = new ArrayList<>();

        private Builder() {}

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder requestsTopic(String topic) {
            this.requestsTopic = topic;
            return this;
        }

        /** The consumer group on the status topic (one per core deployment). */
        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        public Builder statusTopic(String topic) {
            this.statusTopic = topic;
            return this;
        }

        public Builder hideBlocked(boolean hide) {
            this.hideBlocked = hide;
            return this;
        }

        /** Topics of the core's journals (admin actions; logins and start/stop). */
        public Builder journalTopics(String adminEvents, String systemEvents) {
            this.adminEventsTopic = adminEvents;
            this.systemEventsTopic = systemEvents;
            return this;
        }

        public Builder store(String url, String user, String password) {
            this.url = url;
            this.user = user;
            this.password = password;
            return this;
        }

        public Builder keyFile(Path keyFile) {
            this.keyFile = keyFile;
            return this;
        }

        public Builder previousKeyFiles(List<Path> previousKeyFiles) {
            this.previousKeyFiles = previousKeyFiles;
            return this;
        }

        public Builder filesDir(Path dir) {
            this.filesDir = dir;
            return this;
        }

        public Builder maxFileSize(long bytes) {
            this.maxFileSize = bytes;
            return this;
        }

        public Builder serviceToken(String token) {
            this.serviceToken = token;
            return this;
        }

        /** {@code gbld.check_dlp} and {@code gbld.check_dlp_sync}. */
        public Builder messages(boolean checkDlp, boolean sync) {
            this.checkDlp = checkDlp;
            this.checkDlpSync = sync;
            return this;
        }

        /** {@code DLP.isActive} and {@code DLP.syncSend}. */
        public Builder files(boolean isActive, boolean syncSend) {
            this.filesActive = isActive;
            this.filesSync = syncSend;
            return this;
        }

        public Builder resortTimeout(Duration timeout) {
            this.resortTimeout = timeout;
            return this;
        }

        public Builder passwordIterations(int iterations) {
            this.passwordIterations = iterations;
            return this;
        }

        public Builder sessionTtl(Duration ttl) {
            this.sessionTtl = ttl;
            return this;
        }

        /** {@code users.loginFailures} and {@code users.loginLockout}. */
        public Builder loginThrottle(int failures, Duration lockout) {
            this.loginFailures = failures;
            this.loginLockout = lockout;
            return this;
        }

        /** {@code messages.maxLength}. */
        public Builder maxMessageLength(int characters) {
            this.maxMessageLength = characters;
            return this;
        }

        public Builder account(String email, String password, String role) {
            accounts.add(new Account(email, password, role));
            return this;
        }

        public CoreConfig build() {
            return new CoreConfig(
                    new Http(port),
                    new Kafka(
                            bootstrapServers,
                            groupId,
                            new Topics(requestsTopic, statusTopic, adminEventsTopic, systemEventsTopic)),
                    new Store(url, user, password, keyFile, previousKeyFiles),
                    new Files(filesDir, maxFileSize, serviceToken),
                    new Gbld(checkDlp, checkDlpSync),
                    new Dlp(filesActive, filesSync),
                    new ResortClient(resortTimeout),
                    new Blocking(hideBlocked),
                    new Users(accounts, passwordIterations, sessionTtl, loginFailures, loginLockout),
                    new MessageLimits(maxMessageLength));
        }
    }
}
