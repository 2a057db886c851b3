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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Squid forward proxy (Debian package squid-openssl) on a free loopback port that sends every POST to the
 * given ICAP REQMOD service, configured from {@code icap/squid.conf}.
 */
public final class SquidProxy implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/squid");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path dir;
    private final int port;

    private SquidProxy(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static SquidProxy start(URI icapService) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("squid is not installed: run 'apt-get install -y squid-openssl'");
        }
        Path dir = Files.createTempDirectory("plumber-squid-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String config = Files.readString(template(), StandardCharsets.UTF_8)
                .replace("@DIR@", dir.toString())
                .replace("@HTTP_PORT@", Integer.toString(port))
                .replace("@ICAP_URI@", icapService.toString());
        Path configFile = dir.resolve("squid.conf");
        Files.writeString(configFile, config, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // As root Squid would switch to its own user, which cannot write our scratch directory.
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
        SquidProxy squid = new SquidProxy(process, dir, port);
        try {
            squid.awaitListening();
        } catch (IOException | RuntimeException | InterruptedException e) {
            squid.close();
            throw e;
        }
        return squid;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    public String cacheLog() {
        try {
            Path log = dir.resolve("cache.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(cannot read cache.log: " + e + ")";
        }
    }

    private void awaitListening() throws IOException, InterruptedException {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("squid exited with " + process.exitValue() + ": " + cacheLog());
            }
            try (Socket s = new Socket()) {
                s.connect(address(), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("squid did not listen on port " + port + " within " + START_TIMEOUT + ": " + cacheLog());
    }

    private static Path template() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("icap/squid.conf");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("icap/squid.conf not found");
    }

    /** Stops Squid and its helpers and waits until they are gone. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
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
