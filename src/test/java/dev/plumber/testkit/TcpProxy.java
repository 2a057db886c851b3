package dev.plumber.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A TCP forwarder on a free loopback port to a server, for cutting the network between a client and a server
 * that keeps running: {@link #cut()} drops every connection and refuses new ones until {@link #restore()}. It can also
 * drip what the server sends ({@link #drip}), below TLS: one record's bytes come a few at a time.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile long dripAfterClientBytes = Long.MAX_VALUE;
    private volatile Duration dripEvery = Duration.ZERO;

    private TcpProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-proxy-accept-" + port()).start(this::acceptLoop);
    }

    /** Starts forwarding a new loopback port to {@code host:port}. */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a TCP proxy", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT} of the proxy. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Drops every open connection (both sides see a reset) and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        sockets.forEach(TcpProxy::reset);
        sockets.clear();
    }

    /**
     * On connections opened from now on, once the client has sent {@code afterClientBytes}, forwards the server's
     * bytes one at a time, {@code every} apart (0 bytes: from the first, the TLS handshake's included).
     */
    public void drip(long afterClientBytes, Duration every) {
        dripEvery = every;
        dripAfterClientBytes = afterClientBytes;
    }

    /** Forwards new connections again. */
    public void restore() {
        cut = false;
    }

    @Override
    public void close() {
        cut();
        closeQuietly(listener);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                reset(client);
                continue;
            }
            Thread.ofVirtual().start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket server = new Socket();
        try {
            server.connect(upstream, 5000);
        } catch (IOException e) {
            reset(client);
            closeQuietly(server);
            return;
        }
        sockets.add(client);
        sockets.add(server);
        if (cut) {
            cut();
            return;
        }
        AtomicLong clientSent = new AtomicLong();
        long dripAfter = dripAfterClientBytes;
        Duration every = dripEvery;
        Thread.ofVirtual().start(() -> pump(client, server, clientSent, () -> false, every));
        Thread.ofVirtual()
                .start(() -> pump(server, client, new AtomicLong(), () -> clientSent.get() >= dripAfter, every));
    }

    private void pump(Socket from, Socket to, AtomicLong sent, BooleanSupplier drip, Duration every) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sent.addAndGet(n);
                if (!drip.getAsBoolean()) {
                    out.write(buffer, 0, n);
                    out.flush();
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    out.write(buffer[i]);
                    out.flush();
                    Thread.sleep(every);
                }
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(to);
        } finally {
            sockets.remove(from);
        }
    }

    /** Closes with RST rather than FIN, like a dropped network path. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // Closing anyway.
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }
}
