package dev.plumber.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node etcd (Debian's {@code etcd-server}) on free loopback ports, in a temporary data directory.
 * Keys are written with the real {@code etcdctl}, the way the manual tells operators to. {@link #stop()} and
 * {@link #start()} simulate losing etcd; {@link #close()} kills it and deletes its files.
 *
 * <pre>{@code
 * try (EtcdServer etcd = EtcdServer.launch()) {
 *     etcd.put("/vars/services/plumber/development/public/service/DLP/system", "icap");
 *     ... etcd.endpoint() ...   // "http://127.0.0.1:PORT"
 * }
 * }</pre>
 */
public final class EtcdServer implements AutoCloseable {
    /** Where Debian's packages put the programs; PATH is tried first. */
    private static final String PACKAGES =
            "etcd-server etcd-client (apt-get install etcd-server etcd-client," + " or run scripts/test-env.sh)";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(20);

    private final Path home;
    private final int clientPort;
    private final int peerPort;
    private final ChildProcess process;
    private volatile String rootCredentials;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private EtcdServer(Path home, int clientPort, int peerPort) {
        this.home = home;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = List.of(
                program("etcd"),
                "--name",
                "plumber-test",
                "--data-dir",
                home.resolve("data").toString(),
                "--listen-client-urls",
                endpoint(),
                "--advertise-client-urls",
                endpoint(),
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                "plumber-test=" + peer,
                "--initial-cluster-state",
                "new",
                "--log-level",
                "warn");
        this.process = new ChildProcess("etcd", command, Map.of(), home.resolve("etcd.log"));
    }

    /** Starts etcd and waits until it serves requests. */
    public static EtcdServer launch() {
        return FreePorts.retryingPortClashes(EtcdServer::launchOnFreePorts);
    }

    private static EtcdServer launchOnFreePorts() {
        Path home;
        try {
            home = Files.createTempDirectory("plumber-etcd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] ports = FreePorts.take(2);
        EtcdServer server = null;
        try {
            server = new EtcdServer(home, ports[0], ports[1]);
            server.startProcess();
            return server;
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            } else {
                ChildProcess.deleteTree(home);
            }
            throw e;
        }
    }

    /** The client URL, as the gateway's {@code etcd.endpoints} takes it: {@code http://127.0.0.1:PORT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    public int clientPort() {
        return clientPort;
    }

    /** The temporary directory holding the data ({@code data/}) and the server's log ({@code etcd.log}). */
    public Path directory() {
        return home;
    }

    /** Runs {@code etcdctl put KEY VALUE}; the value goes to etcd byte for byte (so {@code icap:\/\/…} keeps its backslashes). */
    public void put(String key, String value) {
        etcdctl("put", "--", key, value);
    }

    /** Runs {@code etcdctl del KEY}. */
    public void delete(String key) {
        etcdctl("del", "--", key);
    }

    /** The value of {@code key} by {@code etcdctl get}, or null when absent. */
    public String get(String key) {
        String out = etcdctl("get", "--print-value-only", "--", key);
        return out.isEmpty() ? null : out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }

    /**
     * Runs a command line through {@code bash -c} exactly as an operator would type it, with {@code etcdctl}
     * pointed at this server (via {@code ETCDCTL_ENDPOINTS}; leave {@code --endpoints} out of the line).
     * Returns standard output.
     */
    public String shell(String commandLine) {
        return run(List.of("bash", "-c", commandLine), true);
    }

    /**
     * Creates the {@code root} user with this password and turns authentication on; from then on this fixture's
     * own {@code etcdctl} calls run as root. Add the users and roles a test needs with {@link #etcdctl}.
     */
    public void enableAuth(String rootPassword) {
        etcdctl("user", "add", "root", "--interactive=false", "--new-user-password=" + rootPassword);
        etcdctl("auth", "enable");
        rootCredentials = "root:" + rootPassword;
    }

    /** Runs {@code etcdctl} against this server with the given arguments; returns its standard output. */
    public String etcdctl(String... args) {
        List<String> command = new ArrayList<>();
        command.add(program("etcdctl"));
        command.add("--endpoints=127.0.0.1:" + clientPort);
        if (rootCredentials != null) {
            command.add("--user=" + rootCredentials);
        }
        command.addAll(List.of(args));
        return run(command, false);
    }

    /** Compacts the history up to the current revision, so watches from older revisions fail. Returns it. */
    public long compact() {
        String status = etcdctl("endpoint", "status", "--write-out=fields");
        long revision = status.lines()
                .filter(line -> line.startsWith("\"Revision\""))
                .mapToLong(line ->
                        Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no revision in: " + status));
        etcdctl("compact", Long.toString(revision), "--physical");
        return revision;
    }

    /** Stops etcd (SIGTERM), keeping its ports and data for {@link #start()}. */
    public void stop() {
        process.stop(Duration.ofSeconds(10));
    }

    /** Kills etcd at once (SIGKILL), keeping its data. */
    public void kill() {
        process.kill();
    }

    /** Starts etcd again after {@link #stop()} or {@link #kill()}, on the same ports and data. */
    public void start() {
        startProcess();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.kill();
        ChildProcess.deleteTree(home);
    }

    private void startProcess() {
        process.start();
        process.awaitReady(START_TIMEOUT, this::healthy);
    }

    private boolean healthy() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                            .timeout(Duration.ofSeconds(1))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String run(List<String> command, boolean endpointFromEnvironment) {
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // etcdctl refuses a flag and its environment variable together; a developer's own ETCDCTL_* must not leak in.
        builder.environment().keySet().removeIf(name -> name.startsWith("ETCDCTL_"));
        builder.environment().put("ETCDCTL_API", "3");
        if (endpointFromEnvironment) {
            builder.environment().put("ETCDCTL_ENDPOINTS", "127.0.0.1:" + clientPort);
            if (rootCredentials != null) {
                builder.environment().put("ETCDCTL_USER", rootCredentials);
            }
        }
        Path err = null;
        try {
            err = Files.createTempFile(home, "etcdctl-", ".err");
            builder.redirectError(err.toFile());
            Process ctl = builder.start();
            byte[] out = ctl.getInputStream().readAllBytes();
            if (!ctl.waitFor(CTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                ctl.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (ctl.exitValue() != 0) {
                throw new IllegalStateException("failed (exit " + ctl.exitValue() + "): " + String.join(" ", command)
                        + ": " + Files.readString(err).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (err != null) {
                try {
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // Removed with the home directory on close.
                }
            }
        }
    }

    private static String program(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(
                "'" + name + "' is not installed; the etcd tests need the Debian packages " + PACKAGES);
    }
}
