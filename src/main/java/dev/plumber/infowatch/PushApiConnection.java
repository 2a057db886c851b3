package dev.plumber.infowatch;

import dev.plumber.infowatch.thrift.EventProcessor;
import dev.plumber.infowatch.thrift.pushapiConstants;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * One open push-API session: TLS socket, framed transport, binary protocol. The interface version is checked once,
 * when the connection opens; every call then waits at most the socket timeout for its answer.
 */
final class PushApiConnection implements AutoCloseable {
    /** Probing costs up to a millisecond; a connection idle for less is rarely stale. */
    private static final long PROBE_AFTER_IDLE_NANOS = 1_000_000_000L;

    private final Socket socket;
    private final TFramedTransport transport;
    private final EventProcessor.Client client;
    private volatile long idleSinceNanos = System.nanoTime();

    private PushApiConnection(Socket socket, TFramedTransport transport) {
        this.socket = socket;
        this.transport = transport;
        this.client = new EventProcessor.Client(new TBinaryProtocol(transport));
    }

    /**
     * Connects, handshakes and asks {@code GetVersion}.
     *
     * @param verifyHost whether the server certificate must name {@code host} (off only with tlsVerify=false)
     * @throws IncompatibleVersionException when the server's interface is older than ours
     */
    static PushApiConnection open(String host, int port, SSLSocketFactory tls, boolean verifyHost, Duration timeout)
            throws IOException, TException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), millis);
            SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
            if (verifyHost) {
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
            }
            ssl.setSoTimeout(millis);
            ssl.startHandshake();
            PushApiConnection connection = new PushApiConnection(ssl, new TFramedTransport(new TSocket(ssl)));
            int version = connection.client.GetVersion();
            if (version < pushapiConstants.pushapi_version) {
                connection.close();
                throw new IncompatibleVersionException(version);
            }
            return connection;
        } catch (IOException | TException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    EventProcessor.Client client() {
        return client;
    }

    boolean isOpen() {
        return !socket.isClosed() && transport.isOpen();
    }

    /** Marks the moment the connection went back to the pool. */
    void markIdle() {
        idleSinceNanos = System.nanoTime();
    }

    /**
     * True when an idle connection may carry another event. After a real idle spell the socket is probed: a server
     * that closed it in the meantime (idle timeout, restart) shows as EOF at once, and any unasked-for byte means
     * the connection is out of step; either way it is not reused.
     */
    boolean reusable() {
        if (!isOpen()) {
            return false;
        }
        if (System.nanoTime() - idleSinceNanos < PROBE_AFTER_IDLE_NANOS) {
            return true;
        }
        try {
            int timeout = socket.getSoTimeout();
            socket.setSoTimeout(1);
            try {
                socket.getInputStream().read();
                return false;
            } finally {
                socket.setSoTimeout(timeout);
            }
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        transport.close();
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
    }

    /** The server speaks an older push API than this client needs. */
    static final class IncompatibleVersionException extends TException {
        private static final long serialVersionUID = 1L;

        IncompatibleVersionException(int version) {
            super("Traffic Monitor push API version " + version + " is older than the version "
                    + pushapiConstants.pushapi_version + " this client needs");
        }
    }
}
