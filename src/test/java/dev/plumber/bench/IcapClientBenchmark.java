package dev.plumber.bench;

import ch.qos.logback.classic.Level;
import com.github.toolarium.icap.client.ICAPClient;
import com.github.toolarium.icap.client.ICAPClientFactory;
import com.github.toolarium.icap.client.ICAPConnectionManager;
import com.github.toolarium.icap.client.dto.ICAPHeaderInformation;
import com.github.toolarium.icap.client.dto.ICAPMode;
import com.github.toolarium.icap.client.dto.ICAPResource;
import com.github.toolarium.icap.client.impl.ICAPConnectionManagerImpl;
import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.testkit.CIcapServer;
import dev.plumber.transport.IcapBody;
import dev.plumber.transport.IcapClient;
import dev.plumber.transport.TlsSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Requests/s and MB/s of our {@link IcapClient} next to toolarium-icap-client, both against the same c-icap echo
 * service, with the same body sizes and the same number of concurrent callers; prints one table with the ratios.
 *
 * <p>Not a test: run it by hand (see {@code icap/README.md}). Arguments: seconds measured per client and size
 * (default 5), concurrent callers (default 4), body sizes in bytes (default {@value #SIZES}).
 */
public final class IcapClientBenchmark {
    private static final String SIZES = "1024,102400,10485760";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final HttpRequestHead POST = HttpRequestHead.of(
            "POST", "http://vkteams/", IcapHeaders.of("Host", "vkteams", "Content-Type", "application/json"));

    private IcapClientBenchmark() {}

    /** One client's way of sending one body; returns the ICAP status. */
    private interface Call {
        int send(byte[] body) throws Exception;
    }

    private record Result(long requests, long errors, double seconds) {
        double perSecond() {
            return requests / seconds;
        }

        double megabytesPerSecond(int size) {
            return requests * (double) size / seconds / 1_000_000;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int[] sizes = java.util.Arrays.stream((args.length > 2 ? args[2] : SIZES).split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        // toolarium logs every request at INFO; that would measure the logger.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        // Its failures are counted in the table; a warning per failed call would bury it.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.github.toolarium")).setLevel(Level.ERROR);

        try (CIcapServer cicap = CIcapServer.start();
                IcapClient ours = new IcapClient(callers, Clock.systemUTC())) {
            // Ctrl-C must not leave c-icap running.
            Thread stopper = new Thread(() -> {
                try {
                    cicap.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(stopper);
            URI echo = cicap.echoServiceUri();
            System.out.printf(
                    Locale.ROOT,
                    "c-icap echo at %s, %d concurrent callers, %d s per client and size, %d cores%n",
                    echo,
                    callers,
                    seconds,
                    Runtime.getRuntime().availableProcessors());
            System.out.println(
                    "MB/s = answered requests x body size / s (c-icap echo may answer a preview with 204, then"
                            + " neither client sends the rest); ratio = plumber r/s / toolarium r/s");
            System.out.println("plumber:   IcapClient.reqmod: REQMOD, encapsulated POST http://vkteams/ with"
                    + " Content-Type and Content-Length, preview and Allow: 204 from OPTIONS, body streamed in"
                    + " chunks; pooled keep-alive connections (at most one per caller)");
            System.out.println("toolarium: ICAPClient.validateResource(REQMOD, ICAPResource(name, stream, length)):"
                    + " REQMOD, its own encapsulated GET /<name> head, preview and Allow: 204 from OPTIONS,"
                    + " 'Connection: close' (a new connection per call), SHA-256 of what it sends and of the echoed"
                    + " body, which it writes to a temp file");
            CuttingConnectionManager cutter = new CuttingConnectionManager(CALL_TIMEOUT);
            ICAPClientFactory.getInstance().setICAPConnectionManager(cutter);
            List<ICAPClient> toolarium = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                toolarium.add(ICAPClientFactory.getInstance().getICAPClient("127.0.0.1", cicap.port(), "echo"));
            }
            System.out.printf(
                    Locale.ROOT,
                    "%n%-9s | %12s %10s | %12s %10s | %7s | %s%n",
                    "body",
                    "plumber r/s",
                    "MB/s",
                    "toolar. r/s",
                    "MB/s",
                    "ratio",
                    "errors (plumber/toolarium)");
            for (int size : sizes) {
                byte[] body = new byte[size];
                for (int i = 0; i < size; i++) {
                    body[i] = (byte) ('a' + i % 26);
                }
                Duration measure = Duration.ofSeconds(seconds);
                Duration warmup = Duration.ofSeconds(Math.max(1, seconds / 3));
                Call plumber = b -> ours.reqmod(
                                echo, TlsSettings.defaults(), IcapHeaders.empty(), POST, IcapBody.of(b), CALL_TIMEOUT)
                        .status();
                System.err.println("plumber, " + label(size) + " ...");
                run(callers, warmup, body, i -> plumber);
                Result p = run(callers, measure, body, i -> plumber);
                System.err.println("toolarium, " + label(size) + " ...");
                run(callers, warmup, body, i -> toolariumCall(toolarium.get(i)));
                cutter.cut.set(0);
                Result t = run(callers, measure, body, i -> toolariumCall(toolarium.get(i)));
                long cut = cutter.cut.getAndSet(0);
                System.out.printf(
                        Locale.ROOT,
                        "%-9s | %12.1f %10.1f | %12.1f %10.1f | %6.2fx | %d/%d%s%n",
                        label(size),
                        p.perSecond(),
                        p.megabytesPerSecond(size),
                        t.perSecond(),
                        t.megabytesPerSecond(size),
                        p.perSecond() / t.perSecond(),
                        p.errors(),
                        t.errors(),
                        cut == 0
                                ? ""
                                : " (" + cut + " toolarium calls hung and were cut after " + CALL_TIMEOUT.toSeconds()
                                        + " s)");
            }
        }
    }

    private static Call toolariumCall(ICAPClient client) {
        return b -> {
            ICAPHeaderInformation answer = client.validateResource(
                    ICAPMode.REQMOD, new ICAPResource("message.json", new ByteArrayInputStream(b), b.length));
            return answer.getStatus();
        };
    }

    /**
     * toolarium's connections, closed when a call outlives {@code limit}: it writes the whole body before it reads,
     * and a server that answers early and stops reading (c-icap echo with a body past the preview) leaves both
     * sides blocked in write. Without this the benchmark would hang; each cut call counts as an error.
     */
    private static final class CuttingConnectionManager implements ICAPConnectionManager {
        private final ICAPConnectionManagerImpl delegate = new ICAPConnectionManagerImpl();
        private final Map<Socket, Long> open = new ConcurrentHashMap<>();
        final AtomicLong cut = new AtomicLong();

        CuttingConnectionManager(Duration limit) {
            Thread.ofPlatform().daemon().name("toolarium-cutter").start(() -> {
                while (true) {
                    long now = System.nanoTime();
                    open.forEach((socket, since) -> {
                        if (socket.isClosed()) {
                            open.remove(socket);
                        } else if (now - since > limit.toNanos()) {
                            open.remove(socket);
                            cut.incrementAndGet();
                            try {
                                socket.close();
                            } catch (IOException ignored) {
                                // Closed either way.
                            }
                        }
                    });
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public Socket createSocket(String host, int port, boolean secure, Integer connectTimeout, Integer readTimeout)
                throws IOException {
            Socket socket = delegate.createSocket(host, port, secure, connectTimeout, readTimeout);
            open.put(socket, System.nanoTime());
            return socket;
        }

        @Override
        public void setDefaultSocketConnectionTimeout(Integer timeout) {
            delegate.setDefaultSocketConnectionTimeout(timeout);
        }

        @Override
        public void setDefaultSocketReadTimeout(Integer timeout) {
            delegate.setDefaultSocketReadTimeout(timeout);
        }
    }

    private interface CallFactory {
        Call forCaller(int caller);
    }

    /** Runs {@code callers} threads sending the body back to back for the duration; counts good and bad answers. */
    private static Result run(int callers, Duration duration, byte[] body, CallFactory calls)
            throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Call call = calls.forCaller(i);
            threads.add(Thread.ofPlatform().name("bench-" + i).start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        int status = call.send(body);
                        (status == 200 || status == 204 ? ok : errors).incrementAndGet();
                    } catch (Exception e) {
                        if (errors.incrementAndGet() == 1) {
                            System.err.println("first error: " + e);
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Result(ok.get(), errors.get(), (System.nanoTime() - start) / 1e9);
    }

    private static String label(int size) {
        return size >= 1024 * 1024 ? size / (1024 * 1024) + " MiB" : size / 1024 + " KiB";
    }
}
