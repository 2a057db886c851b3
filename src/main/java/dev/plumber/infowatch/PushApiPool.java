package dev.plumber.infowatch;

import dev.plumber.transport.Deadline;
import dev.plumber.transport.TlsSettings;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSocketFactory;
import org.apache.thrift.TException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a few idle push-API connections per Traffic Monitor address for reuse. A connection goes back only after a
 * clean call sequence; one that saw a transport or protocol error is closed, never reused in an unknown state.
 */
final class PushApiPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushApiPool.class);

    /** A Traffic Monitor address; TLS settings are part of it so that a settings change never reuses old sockets. */
    record Address(String host, int port, TlsSettings tls) {
        static Address parse(String hostPort, TlsSettings tls) {
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Address(host, Integer.parseInt(hostPort.substring(colon + 1)), tls);
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private final int maxIdlePerAddress;
    private final Map<Address, Deque<PushApiConnection>> idle = new ConcurrentHashMap<>();
    private final Map<TlsSettings, SSLSocketFactory> factories = new ConcurrentHashMap<>();
    private volatile boolean closed;

    PushApiPool(int maxIdlePerAddress) {
        this.maxIdlePerAddress = maxIdlePerAddress;
    }

    /**
     * An idle connection to the address, or a new one (connected, handshaken, version checked), for one call that
     * must end by {@code deadline}.
     */
    PushApiConnection acquire(Address address, Deadline deadline) throws IOException, TException {
        if (closed) {
            throw new IOException("InfoWatch client is closed");
        }
        Deque<PushApiConnection> connections = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
        while (true) {
            PushApiConnection connection;
            synchronized (connections) {
                connection = connections.pollFirst();
            }
            if (connection == null) {
                break;
            }
            if (connection.reusable()) {
                connection.startCall(deadline);
                return connection;
            }
            connection.close();
        }
        return PushApiConnection.open(
                address.host(),
                address.port(),
                factory(address.tls()),
                address.tls().verify(),
                deadline);
    }

    /** Gives a connection back: kept for reuse when {@code reusable} and there is room, else closed. */
    void release(Address address, PushApiConnection connection, boolean reusable) {
        if (reusable && !closed && connection.isOpen()) {
            connection.markIdle();
            Deque<PushApiConnection> connections = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
            synchronized (connections) {
                if (connections.size() < maxIdlePerAddress) {
                    connections.addFirst(connection);
                    return;
                }
            }
        }
        connection.close();
    }

    private SSLSocketFactory factory(TlsSettings tls) throws IOException {
        SSLSocketFactory factory = factories.get(tls);
        if (factory == null) {
            if (!tls.verify()) {
                log.warn("DLP tlsVerify=false: the InfoWatch server certificate and host name are NOT checked");
            }
            factory = tls.socketFactory();
            factories.put(tls, factory);
        }
        return factory;
    }

    @Override
    public void close() {
        closed = true;
        for (Deque<PushApiConnection> connections : idle.values()) {
            synchronized (connections) {
                connections.forEach(PushApiConnection::close);
                connections.clear();
            }
        }
    }
}
