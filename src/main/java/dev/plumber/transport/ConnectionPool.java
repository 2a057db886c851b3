package dev.plumber.transport;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;

/** Persistent connections per ICAP address, at most {@code maxPerAddress} open (busy or idle) at a time. */
final class ConnectionPool implements AutoCloseable {

    /** An ICAP server address; TLS settings are part of it so that a settings change never reuses old sockets. */
    record Address(String host, int port, TlsSettings tls) {}

    private final class Route {
        final Semaphore permits = new Semaphore(maxPerAddress);
        final Deque<IcapConnection> idle = new ArrayDeque<>();
    }

    private final int maxPerAddress;
    private final Map<Address, Route> routes = new ConcurrentHashMap<>();
    private final Map<TlsSettings, SSLSocketFactory> tlsFactories = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ConnectionPool(int maxPerAddress) {
        this.maxPerAddress = maxPerAddress;
    }

    /** An idle connection to the address, or a new one when none is idle or {@code fresh} is asked for. */
    IcapConnection acquire(Address address, boolean fresh, Deadline deadline) throws IOException {
        if (closed) {
            throw new IOException("ICAP client is closed");
        }
        Route route = routes.computeIfAbsent(address, a -> new Route());
        try {
            if (!route.permits.tryAcquire(deadline.remainingMillis(), TimeUnit.MILLISECONDS)) {
                throw new IcapTimeoutException("all " + maxPerAddress + " connections to " + address.host() + ":"
                        + address.port() + " stayed busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IcapTimeoutException("interrupted while waiting for an ICAP connection");
        }
        try {
            while (!fresh) {
                IcapConnection idle;
                synchronized (route) {
                    idle = route.idle.pollFirst();
                }
                if (idle == null) {
                    break;
                }
                if (idle.idleAndOpen()) {
                    return idle;
                }
                idle.close();
            }
            SSLSocketFactory tls = address.tls() == null ? null : tlsFactory(address.tls());
            return IcapConnection.open(address.host(), address.port(), tls, deadline);
        } catch (IOException | RuntimeException e) {
            route.permits.release();
            throw e;
        }
    }

    /** Gives a connection back: kept for reuse when {@code reusable}, else closed. */
    void release(Address address, IcapConnection connection, boolean reusable) {
        Route route = routes.get(address);
        if (reusable && !closed) {
            connection.markIdle();
            synchronized (route) {
                route.idle.addFirst(connection);
            }
        } else {
            connection.close();
        }
        route.permits.release();
    }

    private SSLSocketFactory tlsFactory(TlsSettings tls) throws IOException {
        SSLSocketFactory factory = tlsFactories.get(tls);
        if (factory == null) {
            factory = tls.socketFactory();
            tlsFactories.put(tls, factory);
        }
        return factory;
    }

    @Override
    public void close() {
        closed = true;
        for (Route route : routes.values()) {
            synchronized (route) {
                route.idle.forEach(IcapConnection::close);
                route.idle.clear();
            }
        }
    }
}
