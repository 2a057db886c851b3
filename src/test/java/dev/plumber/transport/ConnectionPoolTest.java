package dev.plumber.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.testkit.Eventually;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ConnectionPoolTest {

    @Test
    void theServersMaxConnectionsLowersTheCapAndClosesSurplusIdleConnections() throws Exception {
        try (Listener listener = new Listener();
                ConnectionPool pool = new ConnectionPool(4)) {
            ConnectionPool.Address address = new ConnectionPool.Address("127.0.0.1", listener.port(), null);
            List<IcapConnection> open = List.of(
                    pool.acquire(address, false, false, deadline()),
                    pool.acquire(address, false, false, deadline()),
                    pool.acquire(address, false, false, deadline()));
            open.forEach(c -> pool.release(address, c, false, true));

            pool.serverLimit(address, 1);

            assertThat(pool.limit(address)).isEqualTo(1);
            assertThat(open.stream().filter(IcapConnection::isClosed)).hasSize(2);
            IcapConnection only = pool.acquire(address, false, false, deadline());
            assertThat(only.isClosed()).isFalse();
            assertThatThrownBy(() -> pool.acquire(address, false, false, Deadline.after(Duration.ofMillis(100))))
                    .isInstanceOf(IcapTimeoutException.class)
                    .hasMessageContaining("all 1 connections");
            pool.release(address, only, false, true);
        }
    }

    @Test
    void anUnadvertisedOrLargerMaxConnectionsRestoresTheConfiguredCap() throws Exception {
        try (ConnectionPool pool = new ConnectionPool(4)) {
            ConnectionPool.Address address = new ConnectionPool.Address("127.0.0.1", 1, null);

            pool.serverLimit(address, 2);
            assertThat(pool.limit(address)).isEqualTo(2);
            pool.serverLimit(address, 100);
            assertThat(pool.limit(address)).isEqualTo(4);
            pool.serverLimit(address, 2);
            pool.serverLimit(address, null);
            assertThat(pool.limit(address)).isEqualTo(4);
        }
    }

    @Test
    void largeRequestsHoldAtMostHalfTheConnectionsSoMessagesStillGetThrough() throws Exception {
        try (Listener listener = new Listener();
                ConnectionPool pool = new ConnectionPool(4)) {
            ConnectionPool.Address address = new ConnectionPool.Address("127.0.0.1", listener.port(), null);
            IcapConnection large1 = pool.acquire(address, false, true, deadline());
            IcapConnection large2 = pool.acquire(address, false, true, deadline());

            assertThatThrownBy(() -> pool.acquire(address, false, true, Deadline.after(Duration.ofMillis(100))))
                    .isInstanceOf(IcapTimeoutException.class)
                    .hasMessageContaining("all 2 connections for large requests");
            IcapConnection small1 = pool.acquire(address, false, false, deadline());
            IcapConnection small2 = pool.acquire(address, false, false, deadline());

            for (IcapConnection c : List.of(large1, large2, small1, small2)) {
                pool.release(address, c, c == large1 || c == large2, true);
            }
        }
    }

    @Test
    void aFreedSlotGoesToAWaiterOfItsOwnSize() throws Exception {
        try (Listener listener = new Listener();
                ConnectionPool pool = new ConnectionPool(2)) {
            ConnectionPool.Address address = new ConnectionPool.Address("127.0.0.1", listener.port(), null);
            IcapConnection large = pool.acquire(address, false, true, deadline());
            IcapConnection small = pool.acquire(address, false, false, deadline());
            CompletableFuture<IcapConnection> smallWaiter = waiter(pool, address, false);
            // The small one waits first: a first-come pool would hand it the large slot.
            Eventually.within(Duration.ofSeconds(5), () -> assertThat(pool.waiting(address, false))
                    .isEqualTo(1));
            CompletableFuture<IcapConnection> largeWaiter = waiter(pool, address, true);
            Eventually.within(Duration.ofSeconds(5), () -> assertThat(pool.waiting(address, true))
                    .isEqualTo(1));

            pool.release(address, large, true, true);
            IcapConnection nextLarge = largeWaiter.get(5, TimeUnit.SECONDS);
            assertThat(smallWaiter).isNotDone();
            pool.release(address, small, false, true);
            IcapConnection nextSmall = smallWaiter.get(5, TimeUnit.SECONDS);

            pool.release(address, nextLarge, true, true);
            pool.release(address, nextSmall, false, true);
        }
    }

    @Test
    void aConnectionIdleLongerThanTheIdleTimeoutIsClosedWhileTheOneInUseStays() throws Exception {
        try (Listener listener = new Listener();
                ConnectionPool pool = new ConnectionPool(4, Duration.ofSeconds(2))) {
            ConnectionPool.Address address = new ConnectionPool.Address("127.0.0.1", listener.port(), null);
            IcapConnection spare = pool.acquire(address, false, false, deadline());
            IcapConnection used = pool.acquire(address, false, false, deadline());
            pool.release(address, spare, false, true);
            pool.release(address, used, false, true);

            // A light load: one call at a time, each taking the connection given back last.
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!spare.isClosed() && System.nanoTime() < until) {
                IcapConnection next = pool.acquire(address, false, false, deadline());
                assertThat(next).isSameAs(used);
                Thread.sleep(100);
                pool.release(address, next, false, true);
            }

            assertThat(spare.isClosed())
                    .as("the connection no call needed is closed")
                    .isTrue();
            assertThat(used.isClosed()).isFalse();
        }
    }

    @Test
    void aPoolLeftIdleClosesEveryConnectionAndOpensNewOnesWhenCallsComeBack() throws Exception {
        try (Listener listener = new Listener();
                ConnectionPool pool = new ConnectionPool(4, Duration.ofMillis(500))) {
            ConnectionPool.Address address = new ConnectionPool.Address("127.0.0.1", listener.port(), null);
            List<IcapConnection> first = List.of(
                    pool.acquire(address, false, false, deadline()), pool.acquire(address, false, false, deadline()));
            first.forEach(c -> pool.release(address, c, false, true));

            Eventually.within(Duration.ofSeconds(10), () -> assertThat(first).allMatch(IcapConnection::isClosed));

            IcapConnection again = pool.acquire(address, false, false, deadline());
            assertThat(again.isClosed()).isFalse();
            assertThat(first).doesNotContain(again);
            pool.release(address, again, false, true);
        }
    }

    private static CompletableFuture<IcapConnection> waiter(
            ConnectionPool pool, ConnectionPool.Address address, boolean large) {
        CompletableFuture<IcapConnection> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                got.complete(pool.acquire(address, false, large, deadline()));
            } catch (Exception e) {
                got.completeExceptionally(e);
            }
        });
        return got;
    }

    private static Deadline deadline() {
        return Deadline.after(Duration.ofSeconds(5));
    }

    /** Accepts connections and holds them open. */
    private static final class Listener implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0);
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        Listener() throws java.io.IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (java.io.IOException closed) {
                    // The test is over.
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
