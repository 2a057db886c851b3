package dev.plumber.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.icap.IcapEncoder;
import dev.plumber.icap.IcapRequest;
import dev.plumber.icap.IcapResponse;
import dev.plumber.testkit.CIcapServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real c-icap of one child with two threads, each of which serves one connection for the connection's life: a
 * pool's connections left idle hold both, and another client is answered only once the pool closes them.
 */
@Timeout(120)
class IdleConnectionsCIcapIT {
    private static final Duration IDLE = Duration.ofSeconds(2);

    @Test
    void anotherClientIsAnsweredOnceThePoolClosesTheIdleConnectionsHoldingTheServersThreads() throws Exception {
        try (CIcapServer cicap =
                        CIcapServer.start(Map.of("StartServers", "1", "MaxServers", "1", "ThreadsPerChild", "2"));
                ConnectionPool burst = new ConnectionPool(2, IDLE);
                ConnectionPool other = new ConnectionPool(1)) {
            ConnectionPool.Address address = new ConnectionPool.Address("127.0.0.1", cicap.port(), null);
            IcapConnection first = burst.acquire(address, false, false, Deadline.after(Duration.ofSeconds(10)));
            IcapConnection second = burst.acquire(address, false, false, Deadline.after(Duration.ofSeconds(10)));
            assertThat(options(cicap, first, Duration.ofSeconds(10)).status()).isEqualTo(200);
            assertThat(options(cicap, second, Duration.ofSeconds(10)).status()).isEqualTo(200);
            burst.release(address, first, false, true);
            burst.release(address, second, false, true);
            long released = System.nanoTime();

            IcapConnection late = other.acquire(address, false, false, Deadline.after(Duration.ofSeconds(10)));
            IcapResponse answer = options(cicap, late, Duration.ofSeconds(60));
            long waitedMillis = (System.nanoTime() - released) / 1_000_000;

            assertThat(answer.status()).isEqualTo(200);
            assertThat(first.isClosed()).isTrue();
            assertThat(second.isClosed()).isTrue();
            // Answered no sooner than the idle connections were closed: until then c-icap had no thread for it.
            assertThat(waitedMillis).isGreaterThanOrEqualTo(IDLE.toMillis());
            other.release(address, late, false, true);
        }
    }

    private static IcapResponse options(CIcapServer cicap, IcapConnection connection, Duration timeout)
            throws IOException {
        connection.beginExchange();
        connection.out.write(IcapEncoder.encodeHead(IcapRequest.options(cicap.echoServiceUri())));
        connection.out.flush();
        return connection.readResponse(Deadline.after(timeout));
    }
}
