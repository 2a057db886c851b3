package dev.plumber.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.settings.GatewayConfig;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConnectionsIT {

    @Test
    void statusStoreStatementsGiveUpOnASilentDatabaseUnlessTheUrlSaysOtherwise() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            String url = postgres.createDatabase("plumber");

            assertThat(networkTimeoutMillis(new GatewayConfig.Store(url, postgres.user(), "")))
                    .isEqualTo(60_000);
            String withTimeout = url + (url.contains("?") ? "&" : "?") + "socketTimeout=5";
            assertThat(networkTimeoutMillis(new GatewayConfig.Store(withTimeout, postgres.user(), "")))
                    .isEqualTo(5_000);
        }
    }

    private static int networkTimeoutMillis(GatewayConfig.Store store) throws Exception {
        try (HikariDataSource dataSource = Connections.dataSource(store);
                Connection c = dataSource.getConnection()) {
            return c.getNetworkTimeout();
        }
    }
}
