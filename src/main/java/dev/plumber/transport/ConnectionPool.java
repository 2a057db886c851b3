package dev.plumber.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocketFactory;

/**
 * Persistent connections per ICAP address, at most {@code min(configured, Max-Connections)} open (busy or idle) at a
 * time: the server's own cap, learnt from OPTIONS, can only lower the configured one.
 *
 * <p>Large requests (a body of {@link #LARGE_BODY} or more) hold at most half of an address's connections, at least
 * one, so that messages keep flowing while large files stream; a slot a request of one size gives back goes first to
 * a waiter of the same size, so neither starves the other.
 *
 * <p>The connection used last is reused first, and one left idle for {@link #IDLE_TIMEOUT} is closed: a burst's extra
 * connections go once the load falls, and so do those to an address the settings no longer name. An ICAP server may
 * hold a worker for every open connection — c-icap gives each a thread of one child for its whole life — so idle
 * ones kept open would take workers from other clients.
 */
final class ConnectionPool implements AutoCloseable {
    static final long LARGE_BODY = 1 << 20;
    /** As long as Squid keeps an idle connection to a server ({@code server_idle_pconn_timeout}'s default). */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(1);

    /** An ICAP server address; TLS settings are part of it so that a settings change never reuses old sockets. */
    record Address(String host, int port, TlsSettings tls) {}

    /** The connections of one address; {@code busy} plus {@code idle.size()} never exceeds {@code limit}. */
    private final class Route {
        final ReentrantLock lock = new ReentrantLock();
        final Condition smallFree = lock.newCondition();
        final Condition largeFree = lock.newCondition();
        final Deque<IcapConnection> idle = new ArrayDeque<>();
        int busy;
        int largeBusy;
        int smallWaiting;
        int largeWaiting;
        int limit = maxPerAddress;

        int largeLimit() {
            return Math.max(1, limit / 2);
        }

        boolean full(boolean large) {
            return busy >= limit || (large && largeBusy >= largeLimit());
        }

        /** Waits, counted among the waiters of its size, until woken or {@code nanos} pass; returns what is left. */
        long await(boolean large, long nanos) throws InterruptedException {
            if (large) {
                largeWaiting++;
            } else {
                smallWaiting++;
            }
            try {
                return (large ? largeFree : smallFree).awaitNanos(nanos);
            } finally {
                if (large) {
                    largeWaiting--;
                } else {
                    smallWaiting--;
                }
            }
        }

        /** Wakes one waiter that a freed slot lets in: one of the freed slot's own size first. */
        void wakeOne(boolean freedLarge) {
            boolean largeMayGo = largeWaiting > 0 && largeBusy < largeLimit();
            if (largeMayGo && (freedLarge || smallWaiting == 0)) {
                largeFree.signal();
            } else if (smallWaiting > 0) {
                smallFree.signal();
            }
        }
    }

    private final int maxPerAddress;
    private final Map<Address, Route> routes = new ConcurrentHashMap<>();
    private final Map<TlsSettings, SSLSocketFactory> tlsFactories = new ConcurrentHashMap<>();
    private final long idleTimeoutNanos;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("plumber-icap-idle").daemon().factory());
    private volatile boolean closed;

    ConnectionPool(int maxPerAddress) {
        this(maxPerAddress, IDLE_TIMEOUT);
    }

    ConnectionPool(int maxPerAddress, Duration idleTimeout) {
        if (maxPerAddress < 1) {
            throw new IllegalArgumentException("at least one connection per address, got " + maxPerAddress);
        }
        this.maxPerAddress = maxPerAddress;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        long sweepEvery = Math.max(1, idleTimeoutNanos / 4);
        sweeper.scheduleWithFixedDelay(this::closeIdle, sweepEvery, sweepEvery, TimeUnit.NANOSECONDS);
    }

    /** Closes the connections that have been idle longer than the idle timeout; the oldest idle are last in line. */
    private void closeIdle() {
        long now = System.nanoTime();
        for (Route route : routes.values()) {
            List<IcapConnection> expired = new ArrayList<>();
            route.lock.lock();
            try {
                while (!route.idle.isEmpty() && now - route.idle.peekLast().idleSince() > idleTimeoutNanos) {
                    expired.add(route.idle.pollLast());
                }
            } finally {
                route.lock.unlock();
            }
            expired.forEach(IcapConnection::close);
        }
    }

    /**
     * Applies the server's {@code Max-Connections} (RFC 3507 §4.10.2) to the address: the cap becomes the smaller of
     * it and the configured one; null (not advertised, or no longer) restores the configured cap. Idle connections
     * over a lowered cap are closed at once, busy ones when they come back.
     */
    void serverLimit(Address address, Integer maxConnections) {
        int limit = maxConnections == null ? maxPerAddress : Math.max(1, Math.min(maxPerAddress, maxConnections));
        Route route = route(address);
        List<IcapConnection> surplus = new ArrayList<>();
        route.lock.lock();
        try {
            route.limit = limit;
            while (!route.idle.isEmpty() && route.busy + route.idle.size() > limit) {
                surplus.add(route.idle.pollLast());
            }
            route.smallFree.signalAll();
            route.largeFree.signalAll();
        } finally {
            route.lock.unlock();
        }
        surplus.forEach(IcapConnection::close);
    }

    /** The cap now in force for the address. */
    int limit(Address address) {
        Route route = route(address);
        route.lock.lock();
        try {
            return route.limit;
        } finally {
            route.lock.unlock();
        }
    }

    /** How many callers wait for a slot of the size at the address. */
    int waiting(Address address, boolean large) {
        Route route = route(address);
        route.lock.lock();
        try {
            return large ? route.largeWaiting : route.smallWaiting;
        } finally {
            route.lock.unlock();
        }
    }

    /**
     * An idle connection to the address, or a new one when none is idle or {@code fresh} is asked for.
     *
     * @param large whether the request's body is {@link #LARGE_BODY} or more; give it back with the same value
     */
    IcapConnection acquire(Address address, boolean fresh, boolean large, Deadline deadline) throws IOException {
        if (closed) {
            throw new IOException("ICAP client is closed");
        }
        Route route = route(address);
        List<IcapConnection> stale = new ArrayList<>();
        IcapConnection reuse = null;
        route.lock.lock();
        try {
            long waitNanos = TimeUnit.MILLISECONDS.toNanos(deadline.remainingMillis());
            while (route.full(large)) {
                if (waitNanos <= 0) {
                    throw new IcapTimeoutException("all "
                            + (large
                                    ? route.largeLimit() + " connections for large requests"
                                    : route.limit + " connections")
                            + " to " + address.host() + ":" + address.port() + " stayed busy");
                }
                waitNanos = route.await(large, waitNanos);
            }
            route.busy++;
            if (large) {
                route.largeBusy++;
            }
            if (!fresh) {
                reuse = route.idle.pollFirst();
            }
            if (reuse == null && route.busy + route.idle.size() > route.limit) {
                // A new connection must not take the route over its cap: the oldest idle one makes room.
                stale.add(route.idle.pollLast());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IcapTimeoutException("interrupted while waiting for an ICAP connection");
        } finally {
            route.lock.unlock();
        }
        stale.forEach(IcapConnection::close);
        try {
            while (reuse != null) {
                if (reuse.idleAndOpen()) {
                    return reuse;
                }
                reuse.close();
                reuse = takeIdle(route);
            }
            SSLSocketFactory tls = address.tls() == null ? null : tlsFactory(address.tls());
            return IcapConnection.open(address.host(), address.port(), tls, deadline);
        } catch (Throwable e) {
            // Whatever is thrown, an Error too: a slot not given back would be lost to every later call.
            giveBack(route, null, large);
            throw e;
        }
    }

    /** Gives a connection back: kept for reuse when {@code reusable} and the cap allows, else closed. */
    void release(Address address, IcapConnection connection, boolean large, boolean reusable) {
        giveBack(route(address), reusable && !closed ? connection : null, large);
        if (!reusable || closed) {
            connection.close();
        }
    }

    private IcapConnection takeIdle(Route route) {
        route.lock.lock();
        try {
            return route.idle.pollFirst();
        } finally {
            route.lock.unlock();
        }
    }

    /** Ends one busy slot; {@code keep} (or null) goes back to the idle list if it fits under the cap. */
    private void giveBack(Route route, IcapConnection keep, boolean large) {
        boolean kept = false;
        route.lock.lock();
        try {
            route.busy--;
            if (large) {
                route.largeBusy--;
            }
            if (keep != null && route.busy + route.idle.size() < route.limit) {
                keep.markIdle();
                route.idle.addFirst(keep);
                kept = true;
            }
            route.wakeOne(large);
        } finally {
            route.lock.unlock();
        }
        if (keep != null && !kept) {
            keep.close();
        }
    }

    private Route route(Address address) {
        return routes.computeIfAbsent(address, a -> new Route());
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
        sweeper.shutdownNow();
        for (Route route : routes.values()) {
            List<IcapConnection> idle;
            route.lock.lock();
            try {
                idle = new ArrayList<>(route.idle);
                route.idle.clear();
            } finally {
                route.lock.unlock();
            }
            idle.forEach(IcapConnection::close);
        }
    }
}
