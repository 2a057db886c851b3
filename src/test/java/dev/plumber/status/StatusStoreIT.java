package dev.plumber.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The status store on a real PostgreSQL: group-committed writes from many threads keep every guarantee of one. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StatusStoreIT {
    private static final KafkaCoordinates AT = new KafkaCoordinates("dlp.requests", 3, 42);
    private static EmbeddedPostgres postgres;
    private static StatusStore store;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        postgres.createDatabase("status_it");
        DataSource dataSource = postgres.dataSource("status_it");
        StatusStore.migrate(dataSource);
        store = new StatusStore(dataSource, Clock.systemUTC(), new ContentCipher(new byte[32], new SecureRandom()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static MessageEvent message(String text) {
        return new MessageEvent(
                UUID.randomUUID(), 7, "alice", "chat-1", "group", text, null, null, "10.0.0.1", Instant.now(), false);
    }

    @Test
    void thousandsOfConcurrentEventsEachGetTheirOwnRowAndOneDecision() throws Exception {
        int events = 3_000;
        AtomicInteger decided = new AtomicInteger();
        List<MessageEvent> sent = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            sent.add(message("message number " + i));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (MessageEvent e : sent) {
                work.add(pool.submit(() -> {
                    assertThat(store.sending(e, AT, "searchinform", "icap://dlp:1344/reqmod"))
                            .isEqualTo(Status.SENDING);
                    // Two workers race to decide the same event: exactly one decision is written.
                    if (store.complete(e.id().toString(), Status.ALLOWED, "clean", "istag-1", null)) {
                        decided.incrementAndGet();
                    }
                    if (store.complete(e.id().toString(), Status.BLOCKED, "late", null, null)) {
                        decided.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        }
        assertThat(decided).hasValue(events);
        for (MessageEvent e : sent.subList(0, 50)) {
            RequestRecord row = store.find(e.id().toString()).orElseThrow();
            assertThat(row.status()).isEqualTo(Status.ALLOWED);
            assertThat(row.reason()).isEqualTo("clean");
            assertThat(row.dlpReference()).isEqualTo("istag-1");
            assertThat(row.attempts()).isEqualTo(1);
            assertThat(row.partition()).isEqualTo(3);
            assertThat(row.completedAt()).isNotNull();
            assertThat(store.content(e.id().toString())).contains(e.text());
        }
    }

    @Test
    void aRedeliveredEventInTheSameFlushIsNeverSentTwiceOnceDecided() throws Exception {
        MessageEvent e = message("hello");
        String id = e.id().toString();
        // The same event handed over many times at once: one row, attempts counted, all in one or a few flushes.
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Status>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(pool.submit(() -> store.sending(e, AT, "searchinform", "icap://dlp:1344/reqmod")));
            }
            for (Future<Status> f : results) {
                assertThat(f.get()).isEqualTo(Status.SENDING);
            }
        }
        assertThat(store.find(id).orElseThrow().attempts()).isEqualTo(20);

        assertThat(store.complete(id, Status.BLOCKED, "card number", null, null))
                .isTrue();
        assertThat(store.sending(e, AT, "searchinform", "icap://other:1344/reqmod"))
                .isEqualTo(Status.BLOCKED);
        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.attempts()).isEqualTo(20);
        assertThat(row.dlpAddress()).isEqualTo("icap://dlp:1344/reqmod");
    }

    @Test
    void retryingKeepsTheErrorAndAFileRowKeepsItsMetadata() throws Exception {
        FileEvent file = new FileEvent(
                UUID.randomUUID(), "ab".repeat(32), "report.pdf", 1234, "application/pdf", "bob", null, null);
        String id = file.id().toString();
        assertThat(store.receive(file, AT)).isEqualTo(Status.RECEIVED);
        store.retrying(id, "connection refused", Instant.now().plusSeconds(1));
        assertThat(store.sending(file, AT, "searchinform", "icap://dlp:1344/reqmod"))
                .isEqualTo(Status.SENDING);
        assertThat(store.complete(id, Status.ACCEPTED, null, "tm-1", null)).isTrue();

        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.status()).isEqualTo(Status.ACCEPTED);
        assertThat(row.lastError()).isEqualTo("connection refused");
        assertThat(row.fileName()).isEqualTo("report.pdf");
        assertThat(row.hash()).isEqualTo("ab".repeat(32));
        assertThat(row.eventTs()).isNull();
        assertThat(store.content(id)).isEmpty();
    }

    @Test
    void aMessagesSearchTermsAreWrittenWithItsDecisionAndKeptByALaterOne() throws Exception {
        MessageEvent e = message("the quarterly figures");
        String id = e.id().toString();
        assertThat(store.sending(e, AT, "searchinform", "icap://dlp:1344/reqmod"))
                .isEqualTo(Status.SENDING);
        assertThat(terms(id)).isNull();
        assertThat(store.content(id)).contains("the quarterly figures");

        assertThat(store.complete(e, Status.ALLOWED, null, null, null)).isTrue();
        String written = terms(id);
        assertThat(written).isNotBlank().doesNotContain("quarterly");
        assertThat(written.split(" ")).hasSize(3);

        assertThat(store.complete(id, Status.BLOCKED, "late", null, null)).isFalse();
        assertThat(terms(id)).isEqualTo(written);
    }

    private static String terms(String id) throws Exception {
        try (var c = postgres.dataSource("status_it").getConnection();
                var s = c.prepareStatement(
                        "SELECT array_to_string(content_terms, ' ') FROM gateway.requests WHERE event_id = ?")) {
            s.setString(1, id);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }

    @Test
    void aMalformedEventGetsARowUnderItsId() throws Exception {
        String id = UUID.randomUUID().toString();
        assertThat(store.receiveMalformed(id, AT)).isEqualTo(Status.RECEIVED);
        assertThat(store.complete(id, Status.FAILED, "malformed event: no id", null, "no id"))
                .isTrue();
        assertThat(store.receiveMalformed(id, AT)).isEqualTo(Status.FAILED);
        assertThat(store.find(id).orElseThrow().type()).isEqualTo("malformed");
    }
}
