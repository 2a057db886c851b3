package dev.plumber.infowatch;

import dev.plumber.infowatch.thrift.EventProcessor;
import dev.plumber.infowatch.thrift.pushapiConstants;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
    private final Socket socket;
    private final TFramedTransport transport;
    private final EventProcessor.Client client;

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
