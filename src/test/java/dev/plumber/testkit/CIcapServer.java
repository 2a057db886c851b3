package dev.plumber.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real c-icap server (Debian packages) on a free loopback port, configured from {@code icap/c-icap.conf}: an echo
 * service that allows everything and a content-filtering service that blocks {@code 4111.1111.1111.1111}.
 *
 * <pre>{@code
 * try (CIcapServer cicap = CIcapServer.start()) {
 *     URI dlp = cicap.dlpServiceUri(); // icap://127.0.0.1:PORT/srv_content_filtering
 * }
 * }</pre>
 */
public final class CIcapServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/c-icap");
    private static final Path MODULE = Path.of("/usr/lib/x86_64-linux-gnu/c_icap/srv_content_filtering.so");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path dir;
    private final int port;
    private final int tlsPort;

    private CIcapServer(Process process, Path dir, int port, int tlsPort) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    /** Starts c-icap and waits until it accepts connections. */
    public static CIcapServer start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /**
     * Starts c-icap with some directives of {@code icap/c-icap.conf} set otherwise (by name, e.g. {@code
     * ThreadsPerChild} to {@code 2}) and waits until it accepts connections.
     */
    public static CIcapServer start(Map<String, String> directives) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY) || !Files.exists(MODULE)) {
            throw new IllegalStateException("c-icap is not installed: run 'apt-get install -y c-icap "
                    + "libc-icap-mod-contentfiltering' (Debian packages c-icap, libc-icap-mod-contentfiltering)");
        }
        Path template = findTemplate();
        Path dir = Files.createTempDirectory("plumber-c-icap-");
        int port = freePort();
        int tlsPort = freePort();
        selfSignedCertificate(dir);
        String tls =
                "TlsPort 127.0.0.1:" + tlsPort + " cert=" + dir.resolve("cert.pem") + " key=" + dir.resolve("key.pem");
        String config = Files.readString(template, StandardCharsets.UTF_8)
                .replace("@DIR@", dir.toString())
                .replace("@PORT@", Integer.toString(port))
                .replace("@TLS@", tls);
        for (Map.Entry<String, String> directive : directives.entrySet()) {
            Pattern line = Pattern.compile("(?m)^" + Pattern.quote(directive.getKey()) + " .*$");
            if (!line.matcher(config).find()) {
                throw new IllegalArgumentException("no " + directive.getKey() + " line in " + template);
            }
            config = line.matcher(config)
                    .replaceAll(Matcher.quoteReplacement(directive.getKey() + " " + directive.getValue()));
        }
        Path configFile = dir.resolve("c-icap.conf");
        Files.writeString(configFile, config, StandardCharsets.UTF_8);

        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // c-icap should not run as root; setpriv execs (no extra process), so killing ours kills c-icap.
            UserPrincipal nobody =
                    dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.toList()) {
                    Files.setOwner(p, nobody);
                }
            }
            command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
        }
        command.addAll(List.of(BINARY.toString(), "-N", "-f", configFile.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        CIcapServer server = new CIcapServer(process, dir, port, tlsPort);
        try {
            server.awaitListening();
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public int port() {
        return port;
    }

    /** The blocking regex DLP (content filtering with the card-number rule). */
    public URI dlpServiceUri() {
        return URI.create("icap://127.0.0.1:" + port + "/srv_content_filtering");
    }

    /** The blocking regex DLP over TLS; its certificate (for 127.0.0.1) is {@link #caFile()}. */
    public URI dlpServiceTlsUri() {
        return URI.create("icaps://127.0.0.1:" + tlsPort + "/srv_content_filtering");
    }

    /** The self-signed certificate of the TLS port, to trust as a CA. */
    public Path caFile() {
        return dir.resolve("cert.pem");
    }

    /** The echo service: allows everything. */
    public URI echoServiceUri() {
        return URI.create("icap://127.0.0.1:" + port + "/echo");
    }

    /** c-icap's own log, for failure messages. */
    public String serverLog() {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(cannot read server.log: " + e + ")";
        }
    }

    private void awaitListening() throws IOException, InterruptedException {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("c-icap exited with " + process.exitValue() + ": " + output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("c-icap did not listen on port " + port + " within " + START_TIMEOUT + ": " + output());
    }

    private String output() throws IOException {
        Path out = dir.resolve("stdout.log");
        return (Files.exists(out) ? Files.readString(out, StandardCharsets.ISO_8859_1) : "") + serverLog();
    }

    private static Path findTemplate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("icap/c-icap.conf");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "icap/c-icap.conf not found above " + Path.of("").toAbsolutePath());
    }

    private static void selfSignedCertificate(Path dir) throws IOException, InterruptedException {
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=127.0.0.1",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1",
                        "-keyout",
                        dir.resolve("key.pem").toString(),
                        "-out",
                        dir.resolve("cert.pem").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile())
                .start();
        if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            openssl.destroyForcibly();
            throw new IOException("openssl could not make a test certificate: "
                    + Files.readString(dir.resolve("openssl.log"), StandardCharsets.ISO_8859_1));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops c-icap and its children and waits until they are gone, then removes the scratch directory. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
            child.onExit().completeOnTimeout(child, 5, TimeUnit.SECONDS).join();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p :
                    files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A leftover temp directory is harmless.
        }
    }
}
