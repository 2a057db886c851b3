package dev.plumber.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
                    pool.acquire(address, false, deadline()),
                    pool.acquire(address, false, deadline()),
                    pool.acquire(address, false, deadline()));
            open.forEach(c -> pool.release(address, c, true));

            pool.serverLimit(address, 1);

            assertThat(pool.limit(address)).isEqualTo(1);
            assertThat(open.stream().filter(IcapConnection::isClosed)).hasSize(2);
            IcapConnection only = pool.acquire(address, false, deadline());
            assertThat(only.isClosed()).isFalse();
            assertThatThrownBy(() -> pool.acquire(address, false, Deadline.after(Duration.ofMillis(100))))
                    .isInstanceOf(IcapTimeoutException.class)
                    .hasMessageContaining("all 1 connections");
            pool.release(address, only, true);
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
