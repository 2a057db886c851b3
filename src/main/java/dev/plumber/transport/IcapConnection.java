package dev.plumber.transport;

import dev.plumber.icap.IcapProtocolException;
import dev.plumber.icap.IcapResponse;
import dev.plumber.icap.IcapResponseDecoder;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** One TCP (or TLS) connection to an ICAP server, with its response decoder. */
final class IcapConnection implements AutoCloseable {
    private static final int BODY_LIMIT = 64 * 1024;
    private static final long PROBE_AFTER_IDLE_NANOS = 200_000_000L;

    private final Socket socket;
    /** The TCP socket under a TLS one (the same socket without TLS). */
    private final Socket tcp;

    private final InputStream in;
    final OutputStream out;
    private final IcapResponseDecoder decoder = new IcapResponseDecoder(BODY_LIMIT);
    private final byte[] readBuffer = new byte[64 * 1024];
    private boolean used;
    private boolean bytesSeen;
    private long idleSinceNanos;

    private IcapConnection(Socket socket, Socket tcp) throws IOException {
        this.socket = socket;
        this.tcp = tcp;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    static IcapConnection open(String host, int port, SSLSocketFactory tls, Deadline deadline) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            try {
                socket.connect(new InetSocketAddress(host, port), deadline.remainingMillis());
            } catch (SocketTimeoutException e) {
                throw new IcapTimeoutException("connect to " + host + ":" + port + " timed out");
            }
            if (tls == null) {
                return new IcapConnection(socket, socket);
            }
            SSLSocket ssl = (SSLSocket) tls.createSocket(socket, host, port, true);
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
            ssl.setSoTimeout(deadline.remainingMillis());
            try (Watchdog.Watch watch = Watchdog.watch(deadline, () -> closeQuietly(socket))) {
                try {
                    ssl.startHandshake();
                } catch (IOException e) {
                    if (watch.fired() || e instanceof SocketTimeoutException) {
                        throw new IcapTimeoutException("TLS handshake with " + host + ":" + port + " took longer than "
                                + deadline.budget().toMillis() + " ms");
                    }
                    throw e;
                }
            }
            return new IcapConnection(ssl, socket);
        } catch (Throwable e) {
            socket.close();
            throw e;
        }
    }

    /** Marks the start of a new exchange; true when this connection served an earlier one. */
    boolean beginExchange() {
        boolean reused = used;
        used = true;
        bytesSeen = false;
        return reused;
    }

    /** Whether any byte of a response arrived during this exchange. */
    boolean bytesSeen() {
        return bytesSeen;
    }

    /** Reads until one whole response (a 100 Continue counts) is decoded or the deadline passes. */
    IcapResponse readResponse(Deadline deadline) throws IOException {
        try {
            while (true) {
                IcapResponse response = decoder.next();
                if (response != null) {
                    return response;
                }
                socket.setSoTimeout(deadline.remainingMillis());
                int n;
                try {
                    n = in.read(readBuffer);
                } catch (SocketTimeoutException e) {
                    if (!deadline.passed()) {
                        continue; // the body writer moved the deadline while this read waited
                    }
                    throw new IcapTimeoutException(
                            "no ICAP answer within " + deadline.budget().toMillis() + " ms");
                }
                if (n < 0) {
                    throw new EOFException("ICAP server closed the connection"
                            + (bytesSeen ? " in the middle of a response" : " without answering"));
                }
                bytesSeen = true;
                decoder.feed(readBuffer, 0, n);
            }
        } catch (IcapProtocolException e) {
            throw new IOException("bad ICAP response: " + e.getMessage(), e);
        }
    }

    /** Marks the moment the connection went back to the pool. */
    void markIdle() {
        idleSinceNanos = System.nanoTime();
    }

    /** When the connection last went back to the pool, in {@link System#nanoTime()}. */
    long idleSince() {
        return idleSinceNanos;
    }

    /** True when the connection may carry another exchange: nothing unread, and the peer has not closed it. */
    boolean idleAndOpen() {
        if (socket.isClosed() || decoder.hasBufferedBytes()) {
            return false;
        }
        if (System.nanoTime() - idleSinceNanos < PROBE_AFTER_IDLE_NANOS) {
            // Probing costs up to a millisecond; a connection idle this briefly is rarely stale, and a stale one is
            // still caught by the client's single resend.
            return true;
        }
        try {
            // A reused connection may be stale: a peer that closed it shows as EOF straight away.
            // Any byte, or EOF, means the connection is out of step or gone.
            socket.setSoTimeout(1);
            in.read(readBuffer);
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    /**
     * Closes the connection in the middle of an exchange, ending a write blocked on a server that stopped reading. A
     * TLS socket's own close waits for such a write to send its close_notify, so the TCP socket under it goes first.
     */
    void abort() {
        closeQuietly(tcp);
        close();
    }

    /** Whether this is a TLS connection, whose reads the socket's timeout does not bound (see {@link Watchdog}). */
    boolean secure() {
        return socket != tcp;
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a broken socket can fail; it is closed either way.
        }
    }
}
