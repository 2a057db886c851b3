package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.crypto.KeyRing;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.status.ContentCipher;
import dev.plumber.status.StatusStore;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A word search finds rows written before a key rotation (which still open) or before migration V8, as new ones. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RequestSearchRotationIT {

    @Test
    void findsAndOpensRowsSealedBeforeAndAfterARotation() throws Exception {
        byte[] oldKey = new byte[32];
        oldKey[0] = 1;
        byte[] newKey = new byte[32];
        newKey[0] = 2;
        ContentCipher before = new ContentCipher(oldKey, new SecureRandom());
        ContentCipher after = new ContentCipher(KeyRing.of(List.of(newKey, oldKey)), new SecureRandom());
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            postgres.createDatabase("rotation");
            DataSource dataSource = postgres.dataSource("rotation");
            StatusStore.migrate(dataSource);
            insert(dataSource, before, "old", "invoice for the old quarter", 0);
            insert(dataSource, after, "new", "invoice for the new quarter", 1);
            insert(dataSource, after, "other", "lunch menu", 2);
            RequestSearch search = new RequestSearch(dataSource, after);

            assertThat(ids(search, "invoice")).containsExactlyInAnyOrder("old", "new");
            assertThat(ids(search, "Invoice quarter")).containsExactlyInAnyOrder("old", "new");
            assertThat(ids(search, "old invoice")).containsExactly("old");
            assertThat(ids(search, "lunch invoice")).isEmpty();
            assertThat(new RequestSearch(dataSource, before)
                            .list(filter("invoice"), null, 10)
                            .rows())
                    .extracting(r -> r.request().id())
                    .containsExactly("old");
            assertThat(after.open(sealed(dataSource, "old"), "old")).isEqualTo("invoice for the old quarter");
            assertThat(after.open(sealed(dataSource, "new"), "new")).isEqualTo("invoice for the new quarter");
        }
    }

    /** Migration V8 turns the terms stored as hex digits into numbers: the rows written before are found as before. */
    @Test
    void findsRowsWhoseTermsWereStoredAsHexBeforeMigrationV8() throws Exception {
        ContentCipher cipher = new ContentCipher(new byte[32], new SecureRandom());
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            postgres.createDatabase("upgrade");
            DataSource dataSource = postgres.dataSource("upgrade");
            StatusStore.migrations(dataSource).target("7").load().migrate();
            String[] hex = Arrays.stream(cipher.terms("invoice for the old quarter"))
                    .mapToObj(term -> "%016x".formatted(term))
                    .toArray(String[]::new);
            insert(dataSource, cipher, "hex", "invoice for the old quarter", 0, hex);
            insert(dataSource, cipher, "no-words", "?!", 1, new String[0]);
            insert(dataSource, cipher, "undecided", "invoice", 2, null);

            StatusStore.migrate(dataSource);
            insert(
                    dataSource,
                    cipher,
                    "new",
                    "invoice for the new quarter",
                    3,
                    cipher.terms("invoice for the new quarter"));
            RequestSearch search = new RequestSearch(dataSource, cipher);

            assertThat(ids(search, "invoice")).containsExactlyInAnyOrder("hex", "new");
            assertThat(ids(search, "old quarter")).containsExactly("hex");
            assertThat(terms(dataSource, "hex")).isEqualTo(cipher.terms("invoice for the old quarter"));
            assertThat(terms(dataSource, "no-words")).isEmpty();
            assertThat(terms(dataSource, "undecided")).isNull();
        }
    }

    private static long[] terms(DataSource dataSource, String id) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT content_terms FROM gateway.requests WHERE event_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                Array terms = r.getArray(1);
                return terms == null
                        ? null
                        : Arrays.stream((Long[]) terms.getArray())
                                .mapToLong(Long::longValue)
                                .toArray();
            }
        }
    }

    private static List<String> ids(RequestSearch search, String text) throws Exception {
        return search.list(filter(text), null, 10).rows().stream()
                .map(r -> r.request().id())
                .toList();
    }

    private static byte[] sealed(DataSource dataSource, String id) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT content FROM gateway.requests WHERE event_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getBytes(1);
            }
        }
    }

    private static RequestSearch.Filter filter(String text) {
        return new RequestSearch.Filter(null, null, null, null, null, null, null, null, text);
    }

    private static void insert(DataSource dataSource, ContentCipher cipher, String id, String text, int offset)
            throws Exception {
        insert(dataSource, cipher, id, text, offset, cipher.terms(text));
    }

    /** A message's row with {@code terms} as they are stored: numbers, or hex digits before migration V8. */
    private static void insert(
            DataSource dataSource, ContentCipher cipher, String id, String text, int offset, Object terms)
            throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO gateway.requests (event_id, type, status,"
                        + " kafka_topic, kafka_partition, kafka_offset, received_at, updated_at, content,"
                        + " content_terms) VALUES (?, 'message', 'ALLOWED', 'dlp.requests', 0, ?, ?, ?, ?, ?)")) {
            Timestamp now = Timestamp.from(Instant.now());
            s.setString(1, id);
            s.setLong(2, offset);
            s.setTimestamp(3, now);
            s.setTimestamp(4, now);
            s.setBytes(5, cipher.seal(text, id));
            s.setObject(6, terms, Types.ARRAY);
            s.executeUpdate();
        }
    }
}
