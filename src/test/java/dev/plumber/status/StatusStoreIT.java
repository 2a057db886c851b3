package dev.plumber.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.console.RequestSearch;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import dev.plumber.status.StatusStore.Change;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
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
    private static RequestSearch search;
    private static ContentCipher cipher;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        postgres.createDatabase("status_it");
        DataSource dataSource = postgres.dataSource("status_it");
        StatusStore.migrate(dataSource);
        cipher = new ContentCipher(new byte[32], new SecureRandom());
        store = new StatusStore(dataSource, Clock.systemUTC(), cipher);
        search = new RequestSearch(dataSource, cipher);
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

    private static final Change SENDING = Change.sending("searchinform", "icap://dlp:1344/reqmod");

    private static Change decided(Status status, String reason, String reference) {
        return Change.decided(status, reason, reference, null);
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
            for (int i = 0; i < events; i++) {
                MessageEvent e = sent.get(i);
                boolean slowCall = i % 2 == 0;
                work.add(pool.submit(() -> {
                    assertThat(store.decided(e.id().toString())).isFalse();
                    // A slow call writes SENDING first; a fast one only its outcome, which then counts the attempt.
                    Change allowed = decided(Status.ALLOWED, "clean", "istag-1");
                    if (slowCall) {
                        assertThat(store.write(e, AT, Instant.now(), SENDING)).isTrue();
                    } else {
                        allowed = allowed.attempt("searchinform", "icap://dlp:1344/reqmod");
                    }
                    // Two workers race to decide the same event: exactly one decision is written.
                    if (store.write(e, AT, Instant.now(), allowed)) {
                        decided.incrementAndGet();
                    }
                    if (store.write(e, AT, Instant.now(), decided(Status.BLOCKED, "late", null))) {
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
            String id = e.id().toString();
            RequestRecord row = store.find(id).orElseThrow();
            assertThat(row.status()).isEqualTo(Status.ALLOWED);
            assertThat(row.reason()).isEqualTo("clean");
            assertThat(row.dlpReference()).isEqualTo("istag-1");
            assertThat(row.dlpAddress()).isEqualTo("icap://dlp:1344/reqmod");
            assertThat(row.attempts()).isEqualTo(1);
            assertThat(row.partition()).isEqualTo(3);
            assertThat(row.completedAt()).isNotNull();
            assertThat(store.content(id)).contains(e.text());
            assertThat(store.decided(id)).isTrue();
        }
    }

    @Test
    void everyBatchOfWritesAndLookUpsIsToldWithItsSizeAndTimes() throws Exception {
        List<String> ops = Collections.synchronizedList(new ArrayList<>());
        List<Integer> rows = Collections.synchronizedList(new ArrayList<>());
        List<Long> queues = Collections.synchronizedList(new ArrayList<>());
        List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        try (StatusStore observed =
                new StatusStore(postgres.dataSource("status_it"), Clock.systemUTC(), null, (op, n, queued, took) -> {
                    ops.add(op);
                    rows.add(n);
                    queues.add(queued);
                    nanos.add(took);
                })) {
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Boolean>> work = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    MessageEvent e = message("batch " + i);
                    work.add(pool.submit(
                            () -> observed.write(e, AT, Instant.now(), decided(Status.ALLOWED, null, null))));
                    work.add(pool.submit(() -> observed.decided(e.id().toString())));
                }
                for (Future<Boolean> f : work) {
                    f.get();
                }
            }
        }
        int writes = 0;
        int lookups = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).equals("write")) {
                writes += rows.get(i);
            } else {
                assertThat(ops.get(i)).isEqualTo("lookup");
                lookups += rows.get(i);
            }
        }
        assertThat(writes).isEqualTo(300);
        assertThat(lookups).isEqualTo(300);
        assertThat(nanos).allMatch(took -> took > 0);
        long elapsed = System.nanoTime() - started;
        assertThat(queues).allMatch(queued -> queued >= 0 && queued < elapsed);
    }

    @Test
    void anOutcomeWrittenAloneMakesTheWholeRowAndATimelineOfOneStateWithNoHistoryEntry() throws Exception {
        MessageEvent e = message("nothing to see");
        String id = e.id().toString();
        Instant received = Instant.now().minusMillis(40).truncatedTo(ChronoUnit.MICROS);
        assertThat(store.write(
                        e,
                        AT,
                        received,
                        decided(Status.BLOCKED, "card number", "istag-2").attempt("searchinform", "icap://dlp/x")))
                .isTrue();

        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.status()).isEqualTo(Status.BLOCKED);
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.dlpSystem()).isEqualTo("searchinform");
        assertThat(row.chat()).isEqualTo("chat-1");
        assertThat(row.receivedAt()).isEqualTo(received);
        assertThat(row.completedAt()).isAfter(received);
        assertThat(terms(id).split(" ")).hasSize(3);
        assertThat(timelineOf(id)).containsExactly("BLOCKED/1");
        assertThat(strings("SELECT count(*) FROM gateway.request_history WHERE event_id = ?", id))
                .containsExactly("0");
    }

    @Test
    void theRowKeepsTheTimeItsEventWasFirstReceived() throws Exception {
        MessageEvent e = message("retried a minute later");
        String id = e.id().toString();
        Instant first = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MICROS);
        assertThat(store.write(e, AT, first, Change.retrying("connection refused", Instant.now())))
                .isTrue();
        assertThat(store.write(e, AT, Instant.now(), decided(Status.ALLOWED, null, null)))
                .isTrue();

        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.receivedAt()).isEqualTo(first);
        assertThat(row.completedAt()).isAfter(first.plusSeconds(59));
    }

    @Test
    void aTimelineWrittenBeforeTheHistoryHeldOnlyStatesLeftShowsTheCurrentStateOnce() throws Exception {
        MessageEvent e = message("written by an older gateway");
        String id = e.id().toString();
        assertThat(store.write(e, AT, Instant.now(), SENDING)).isTrue();
        assertThat(store.write(e, AT, Instant.now(), decided(Status.ALLOWED, "clean", null)))
                .isTrue();
        // Until migration V6 the history also held the current state, a copy of the row.
        historyAsBeforeV6(id);

        assertThat(timelineOf(id)).containsExactly("SENDING/1", "ALLOWED/1");
    }

    @Test
    void aRequestInFlightAcrossTheUpgradeShowsEachStateOnce() throws Exception {
        MessageEvent e = message("waiting for the DLP during the upgrade");
        String id = e.id().toString();
        assertThat(store.write(e, AT, Instant.now(), SENDING)).isTrue();
        // Written before migration V6, the history held the state entered: the row's SENDING.
        historyAsBeforeV6(id);
        // Decided after it, the trigger records the state left: SENDING again.
        assertThat(store.write(e, AT, Instant.now(), decided(Status.ALLOWED, "clean", null)))
                .isTrue();
        assertThat(strings("SELECT count(*) FROM gateway.request_history WHERE event_id = ?", id))
                .containsExactly("2");

        assertThat(timelineOf(id)).containsExactly("SENDING/1", "ALLOWED/1");
    }

    /** Migration V10 rebuilds the indexes of the id columns to compare bytes; a request in flight goes on across it. */
    @Test
    void aRequestInFlightAcrossMigrationV10IsDecidedOnceAndFoundByItsChatAndSender() throws Exception {
        postgres.createDatabase("before_v10");
        DataSource dataSource = postgres.dataSource("before_v10");
        StatusStore.migrations(dataSource).target("9").load().migrate();
        MessageEvent e = message("sent before the upgrade, decided after it");
        String id = e.id().toString();
        try (StatusStore before = new StatusStore(dataSource, Clock.systemUTC(), cipher)) {
            assertThat(before.write(e, AT, Instant.now(), SENDING)).isTrue();
        }

        StatusStore.migrate(dataSource);
        try (StatusStore after = new StatusStore(dataSource, Clock.systemUTC(), cipher)) {
            assertThat(after.write(e, AT, Instant.now(), decided(Status.BLOCKED, "card number", "ref-1")))
                    .isTrue();
            assertThat(after.write(e, AT, Instant.now(), decided(Status.ALLOWED, "clean", null)))
                    .isFalse();
        }
        RequestSearch upgraded = new RequestSearch(dataSource, cipher);
        RequestSearch.Row row = upgraded.find(id).orElseThrow();
        assertThat(row.request().status()).isEqualTo(Status.BLOCKED);
        assertThat(upgraded.history(row))
                .extracting(RequestSearch.Change::status)
                .containsExactly(Status.SENDING, Status.BLOCKED);
        RequestSearch.Filter byChatAndSender =
                new RequestSearch.Filter(Status.BLOCKED, null, "alice", "chat-1", null, null, null, null, null);
        assertThat(upgraded.list(byChatAndSender, null, 10).rows())
                .extracting(r -> r.request().id())
                .containsExactly(id);
        try (var c = dataSource.getConnection();
                var s = c.createStatement();
                var r = s.executeQuery("SELECT string_agg(a.attrelid::regclass || '.' || a.attname, ', '"
                        + " ORDER BY a.attrelid::regclass::text, a.attname) FROM pg_attribute a"
                        + " JOIN pg_collation l ON l.oid = a.attcollation WHERE l.collname = 'C'"
                        + " AND a.attrelid IN ('gateway.requests'::regclass, 'gateway.request_history'::regclass)")) {
            r.next();
            assertThat(r.getString(1))
                    .isEqualTo("gateway.request_history.event_id, gateway.requests.chat, gateway.requests.dlp_system,"
                            + " gateway.requests.event_id, gateway.requests.file_hash, gateway.requests.sender,"
                            + " gateway.requests.status, gateway.requests.type");
        }
    }

    /**
     * A value no index entry can hold (PostgreSQL: SQLSTATE 54000) fails its own write only, not the others handed over
     * with it; written without its event's fields, its status is kept.
     */
    @Test
    void aRowTheDatabaseRefusesFailsAloneAndIsKeptWithoutItsFields() throws Exception {
        StringBuilder randomHex = new StringBuilder(); // 4,800 characters, which no index entry holds
        new SecureRandom().ints(600).forEach(i -> randomHex.append("%08x".formatted(i)));
        MessageEvent refused = new MessageEvent(
                UUID.randomUUID(),
                7,
                "alice",
                randomHex.toString(),
                "group",
                "t",
                null,
                null,
                null,
                Instant.now(),
                false);
        List<MessageEvent> others = new ArrayList<>();
        List<CompletableFuture<Boolean>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            MessageEvent other = message("beside the refused one " + i);
            others.add(other);
            writes.add(store.writeAsync(other, AT, Instant.now(), decided(Status.ALLOWED, null, null)));
            if (i == 20) {
                writes.add(store.writeAsync(refused, AT, Instant.now(), decided(Status.BLOCKED, "card", null)));
            }
        }
        CompletableFuture<Boolean> refusal = writes.remove(21);

        assertThatThrownBy(refusal::join)
                .satisfies(e -> assertThat(StatusStore.refusal(e)).isPresent());
        assertThat(writes).allSatisfy(w -> assertThat(w.join()).isTrue());
        assertThat(others)
                .allSatisfy(o -> assertThat(store.find(o.id().toString())).isPresent());
        String why = "refused: index row too large";
        assertThat(store.writeWithoutItsFieldsAsync(
                                refused, AT, Instant.now(), decided(Status.BLOCKED, "card", null), why)
                        .join())
                .isTrue();
        RequestRecord row = store.find(refused.id().toString()).orElseThrow();
        assertThat(row.status()).isEqualTo(Status.BLOCKED);
        assertThat(row.chat()).isNull();
        assertThat(row.lastError()).isEqualTo(why);
    }

    @Test
    void aRedeliveredEventInTheSameFlushIsNeverSentTwiceOnceDecided() throws Exception {
        MessageEvent e = message("hello");
        String id = e.id().toString();
        // The same event handed over many times at once: one row, attempts counted, all in one or a few flushes.
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(pool.submit(() -> store.write(e, AT, Instant.now(), SENDING)));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        }
        assertThat(store.find(id).orElseThrow().attempts()).isEqualTo(20);

        assertThat(store.write(e, AT, Instant.now(), decided(Status.BLOCKED, "card number", null)))
                .isTrue();
        assertThat(store.decided(id)).isTrue();
        assertThat(store.write(e, AT, Instant.now(), Change.sending("searchinform", "icap://other:1344/reqmod")))
                .isFalse();
        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.attempts()).isEqualTo(20);
        assertThat(row.dlpAddress()).isEqualTo("icap://dlp:1344/reqmod");
    }

    @Test
    void retryingKeepsTheErrorAndAFileRowKeepsItsMetadata() throws Exception {
        FileEvent file = new FileEvent(
                UUID.randomUUID(), "ab".repeat(32), "report.pdf", 1234, "application/pdf", "bob", null, null);
        String id = file.id().toString();
        Instant next = Instant.now().plusSeconds(1);
        assertThat(store.write(file, AT, Instant.now(), Change.retrying("connection refused", next)))
                .isTrue();
        // Written again unchanged (no settings yet, say): the history takes no second entry.
        assertThat(store.write(file, AT, Instant.now(), Change.retrying("connection refused", next)))
                .isTrue();
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.RETRYING);
        assertThat(store.backoffs(AT.topic(), List.of(AT.partition()))
                        .get(AT.partition())
                        .until())
                .isAfterOrEqualTo(next.minusMillis(1));
        assertThat(store.write(file, AT, Instant.now(), SENDING)).isTrue();
        assertThat(store.write(file, AT, Instant.now(), decided(Status.ACCEPTED, null, "tm-1")))
                .isTrue();

        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.status()).isEqualTo(Status.ACCEPTED);
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.lastError()).isEqualTo("connection refused");
        assertThat(row.fileName()).isEqualTo("report.pdf");
        assertThat(row.hash()).isEqualTo("ab".repeat(32));
        assertThat(row.eventTs()).isNull();
        assertThat(store.content(id)).isEmpty();
        assertThat(timelineOf(id)).containsExactly("RETRYING/0", "SENDING/1", "ACCEPTED/1");
    }

    @Test
    void aNulInAnEventsFieldOrADlpsAnswerIsStoredAsAReplacementCharacterNotAFailedFlush() throws Exception {
        FileEvent file = new FileEvent(
                UUID.randomUUID(), "cd".repeat(32), "a\0b.pdf", 1, "application/pdf", "eve\0", null, null);
        String id = file.id().toString();
        assertThat(store.write(
                        file, AT, Instant.now(), decided(Status.BLOCKED, "403; X-Block-Reason: card\0number", "tag\0")))
                .isTrue();

        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.status()).isEqualTo(Status.BLOCKED);
        assertThat(row.fileName()).isEqualTo("a\uFFFDb.pdf");
        assertThat(row.sender()).isEqualTo("eve\uFFFD");
        assertThat(row.reason()).isEqualTo("403; X-Block-Reason: card\uFFFDnumber");
        assertThat(row.dlpReference()).isEqualTo("tag\uFFFD");
    }

    @Test
    void aMessagesSearchTermsAreWrittenWithItsDecisionAndKeptByALaterOne() throws Exception {
        MessageEvent e = message("the quarterly figures");
        String id = e.id().toString();
        assertThat(store.write(e, AT, Instant.now(), SENDING)).isTrue();
        assertThat(terms(id)).isNull();
        assertThat(store.content(id)).contains("the quarterly figures");

        assertThat(store.write(e, AT, Instant.now(), decided(Status.ALLOWED, null, null)))
                .isTrue();
        String written = terms(id);
        assertThat(written)
                .isEqualTo(Arrays.stream(cipher.terms("the quarterly figures"))
                        .mapToObj(Long::toString)
                        .collect(Collectors.joining(" ")));
        assertThat(written.split(" ")).hasSize(3);

        assertThat(store.write(e, AT, Instant.now(), decided(Status.BLOCKED, "late", null)))
                .isFalse();
        assertThat(terms(id)).isEqualTo(written);
    }

    @Test
    void rowsWrittenTogetherKeepEachTheirOwnTermsAndTimes() throws Exception {
        // Handed over at once, most share a flush: the terms of all its rows go in one array, sliced per row.
        Instant received = Instant.parse("2026-12-07T10:15:30.123456789Z");
        List<MessageEvent> messages = new ArrayList<>();
        List<CompletableFuture<Boolean>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            MessageEvent m = message(i % 4 == 0 ? "" : "word " + "and more ".repeat(i));
            messages.add(m);
            Change change = i % 3 == 0 ? SENDING : decided(Status.ALLOWED, null, null);
            writes.add(store.writeAsync(m, AT, received.plusSeconds(i), change));
        }
        FileEvent file = new FileEvent(UUID.randomUUID(), "ef".repeat(32), "a.txt", 1, "text/plain", "bob", null, null);
        writes.add(store.writeAsync(file, AT, received, decided(Status.ALLOWED, null, null)));
        for (CompletableFuture<Boolean> write : writes) {
            assertThat(write.get()).isTrue();
        }

        for (int i = 0; i < messages.size(); i++) {
            MessageEvent m = messages.get(i);
            String id = m.id().toString();
            String expected = i % 3 == 0
                    ? null // undecided: its terms come with its decision
                    : Arrays.stream(cipher.terms(m.text()))
                            .mapToObj(Long::toString)
                            .collect(Collectors.joining(" "));
            assertThat(terms(id)).as("terms of message %d", i).isEqualTo(expected);
            // The fraction of a microsecond is dropped, never rounded up.
            assertThat(store.find(id).orElseThrow().receivedAt())
                    .isEqualTo(received.plusSeconds(i).truncatedTo(ChronoUnit.MICROS));
        }
        assertThat(terms(file.id().toString())).isNull();
    }

    private static String terms(String id) throws Exception {
        return strings("SELECT array_to_string(content_terms, ' ') FROM gateway.requests WHERE event_id = ?", id)
                .getFirst();
    }

    /** Records the row's current state in its history, as the triggers did before migration V6. */
    private static void historyAsBeforeV6(String id) throws Exception {
        strings(
                "INSERT INTO gateway.request_history (event_id, status, attempts, error, reason, at)"
                        + " SELECT event_id, status, attempts, last_error, reason, updated_at FROM gateway.requests"
                        + " WHERE event_id = ? RETURNING status",
                id);
    }

    /** The request's timeline as the console shows it: status/attempts, oldest first. */
    private static List<String> timelineOf(String id) throws Exception {
        return search.history(search.find(id).orElseThrow()).stream()
                .map(c -> c.status() + "/" + c.attempts())
                .toList();
    }

    /** The one-column rows {@code sql} returns for {@code id}. */
    private static List<String> strings(String sql, String id) throws Exception {
        try (var c = postgres.dataSource("status_it").getConnection();
                var s = c.prepareStatement(sql)) {
            s.setString(1, id);
            List<String> rows = new ArrayList<>();
            try (var r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(r.getString(1));
                }
            }
            return rows;
        }
    }

    @Test
    void aMalformedEventGetsARowUnderItsId() throws Exception {
        String id = UUID.randomUUID().toString();
        Change failed = Change.decided(Status.FAILED, "malformed event: no id", null, "no id");
        assertThat(store.writeMalformed(id, AT, Instant.now(), failed)).isTrue();
        assertThat(store.writeMalformed(id, AT, Instant.now(), failed)).isFalse();
        assertThat(store.decided(id)).isTrue();
        assertThat(store.find(id).orElseThrow().type()).isEqualTo("malformed");
    }

    /** A record that could not be read, carrying the id of an event in flight, leaves the event's row to its outcome. */
    @Test
    void aMalformedRecordNeverTakesOverTheRowOfAnEventThatCouldBeRead() throws Exception {
        MessageEvent e = message("retried while a broken record with its id comes by");
        String id = e.id().toString();
        assertThat(store.write(e, AT, Instant.now(), Change.retrying("connection reset", Instant.now())))
                .isTrue();
        Change failed = Change.decided(Status.FAILED, "malformed event: missing field 'sender'", null, "no sender");

        assertThat(store.writeMalformed(id, new KafkaCoordinates("dlp.requests", 3, 43), Instant.now(), failed))
                .isFalse();
        assertThat(store.write(e, AT, Instant.now(), decided(Status.BLOCKED, "card number", "istag-1")))
                .isTrue();
        RequestRecord row = store.find(id).orElseThrow();
        assertThat(row.status()).isEqualTo(Status.BLOCKED);
        assertThat(row.type()).isEqualTo("message");
        // A malformed row re-opened for a replay is the replayed record's again.
        String malformed = UUID.randomUUID().toString();
        assertThat(store.writeMalformed(malformed, AT, Instant.now(), failed)).isTrue();
        assertThat(store.reopen(malformed)).isTrue();
        assertThat(store.writeMalformed(malformed, new KafkaCoordinates("dlp.requests", 0, 7), Instant.now(), failed))
                .isTrue();
    }
}
