package dev.plumber.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.embedded.EmbeddedPostgres;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.metrics.Meters;
import dev.plumber.status.Status;
import dev.plumber.testkit.KafkaTopics;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One mix through the gateway in its own JVM: warm-up rounds until the JIT has settled, then N events produced at
 * once and timed until every one is terminal in PostgreSQL and every offset is committed; then (for some mixes) events
 * paced at half that rate for the end-to-end latency, event {@code ts} → terminal status durable and published.
 */
final class GatewayRun {
    static final int PARTITIONS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LATENCY_PHASE = Duration.ofSeconds(30);
    private static final Duration PACING_TICK = Duration.ofMillis(5);
    private static final Duration PACED_WARMUP_ROUND = Duration.ofSeconds(2);
    /** The trickle after the paced phase, in events a second: too few for a fetch's 4 KiB. */
    static final int TRICKLE_RATE = 100;
    /** How long the trickle lasts. */
    private static final Duration TRICKLE = Duration.ofSeconds(20);
    /** How long after the last event the idle phase starts. */
    static final Duration IDLE_SETTLE = Duration.ofSeconds(5);
    /** How long the idle phase lasts. */
    static final Duration IDLE = Duration.ofSeconds(10);

    /** What the gateway run measured. */
    record Result(
            int events,
            double seconds,
            double cpuSecondsPerEvent,
            Map<String, Long> cpuNanosByRole,
            double dlpP50Ms,
            double dlpP99Ms,
            int latencyEvents,
            double latencyRate,
            double latencyMachineBusy,
            Map<String, Long> latencyCpuNanosByRole,
            EndToEnd endToEnd,
            EndToEnd trickle,
            double lookupP50Ms,
            double lookupP99Ms,
            double writeP50Ms,
            double writeP99Ms,
            double flushP50Ms,
            double flushP99Ms,
            double queueP50Ms,
            double queueP99Ms,
            double rowsPerFlush,
            long peakHeapBytes,
            long peakRssBytes,
            Map<String, Long> idleCpuNanosByRole,
            int failed,
            double avgValueBytes,
            long dlpBodyBytes) {
        double perSecond() {
            return events / seconds;
        }

        double e2eP50Ms() {
            return Percentiles.millis(endToEnd.total(), 0.50);
        }

        double e2eP99Ms() {
            return Percentiles.millis(endToEnd.total(), 0.99);
        }

        /** What one event cost the whole process tree during the timed phase. */
        double pipelineCpuSecondsPerEvent() {
            return cpuNanosByRole.values().stream().mapToLong(Long::longValue).sum() / 1e9 / events;
        }

        /** The body bytes written to the DLP per second: what the DLP read, whatever the event said. */
        double dlpBodyMiBPerSecond() {
            return dlpBodyBytes / seconds / (1 << 20);
        }
    }

    private final Mix mix;
    private final String name;
    private final String bootstrap;
    private final EmbeddedPostgres postgres;
    private final Path dir;
    private final URI service;
    private final String filesUrl;
    private final List<String> jvmOptions;
    private final boolean jfr;

    GatewayRun(
            Mix mix,
            String name,
            String bootstrap,
            EmbeddedPostgres postgres,
            Path dir,
            URI service,
            String filesUrl,
            List<String> jvmOptions,
            boolean jfr) {
        this.mix = mix;
        this.name = name;
        this.bootstrap = bootstrap;
        this.postgres = postgres;
        this.dir = dir;
        this.service = service;
        this.filesUrl = filesUrl;
        this.jvmOptions = jvmOptions;
        this.jfr = jfr;
    }

    Result run(int events) throws Exception {
        String requests = name + ".requests";
        KafkaTopics.create(bootstrap, Map.of(requests, PARTITIONS, name + ".status", 1, name + ".dlq", 1));
        String url = postgres.createDatabase(name);
        DataSource store = postgres.dataSource(name);
        Path settings = dir.resolve(name + ".settings");
        Files.writeString(settings, "system=icap\naddress=" + service + "\n");
        Duration dlpTimeout = mix.fileBytes() > (64 << 20) ? Duration.ofMinutes(10) : Duration.ofSeconds(60);
        String yml =
                """
                kafka:
                  bootstrapServers: "%s"
                  groupId: %s
                  topics: {requests: %s, status: %s.status, deadLetter: %s.dlq}
                store: {url: "%s", user: %s, password: ""}
                files: {url: "%s", timeout: 30s}
                dlpClient: {timeout: %ds}
                """
                        .formatted(
                                bootstrap,
                                name,
                                requests,
                                name,
                                name,
                                url,
                                postgres.user(),
                                filesUrl,
                                dlpTimeout.toSeconds());
        try (GatewayJvm gateway = GatewayJvm.start(name, dir, yml, settings, mix.gatewayHeap(), jvmOptions);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(5));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long produced = 0;
            // First the messages of a gateway that has been running: the 10 MiB mix's own rounds carry too few events
            // for the code run once per event to reach the JIT's thresholds, which it then crossed in the phase
            // timed (the status writes were compiled there: 0.45-1.1 s of compilers' CPU in a phase of 3 s).
            produce(producer, requests, Mix.SMALL, produced, Mix.PRELUDE, true);
            produced += Mix.PRELUDE;
            await(gateway, store, admin, requests, produced);
            // Then rounds of the mix until the JVMs' compilers are done with the hot paths — the gateway's, and the
            // broker's and this one's that feed it: on two cores a compiler at work takes half of the machine from
            // the pipeline it compiles.
            ProcessCpu.Compilers compilers = new ProcessCpu.Compilers();
            for (Warmup w = Warmup.of("gateway", compilers); mix.warmup() > 0 && w.another(); ) {
                produce(producer, requests, mix, produced, mix.warmup(), true);
                produced += mix.warmup();
                await(gateway, store, admin, requests, produced);
            }

            vacuum(store);
            Instant timedStart = Instant.now();
            if (jfr) {
                gateway.startRecording(); // the phase timed only: not the start-up, the prelude or the warm-up
            }
            TreeMap<Double, Double> dlpBefore = Percentiles.dlpBuckets(gateway.metrics());
            long cpuBefore = gateway.cpuNanos();
            ProcessCpu.Phase timed = new ProcessCpu.Phase(compilers);
            long gcMark = gateway.gcLogMark();
            long bodyBytesBefore = gateway.dlpBodyBytes();
            long start = System.nanoTime();
            long valueBytes = produce(producer, requests, mix, produced, events, false);
            produced += events;
            await(gateway, store, admin, requests, produced);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = gateway.cpuNanos() - cpuBefore;
            Map<String, Long> tree = timed.end(name);
            autovacuums(store, name, timedStart);
            if (jfr) {
                gateway.dumpRecording(dir.resolve("gateway-" + name + ".jfr"));
            }
            TreeMap<Double, Double> dlpAfter = Percentiles.dlpBuckets(gateway.metrics());
            long bodyBytes = gateway.dlpBodyBytes() - bodyBytesBefore;
            long peakHeap = gateway.peakHeapBytes(gcMark);

            int latencyEvents = 0;
            double rate = 0;
            double busy = 0;
            Map<String, Long> pacedCpu = Map.of();
            EndToEnd e2e = EndToEnd.NONE;
            EndToEnd trickle = EndToEnd.NONE;
            String metricsBefore = ""; // no scrape, no status-store waits: NaN
            String metricsAfter = "";
            if (mix.latencyPhase()) {
                rate = events / seconds / 2;
                latencyEvents = (int) Math.min(events, Math.max(1, rate * LATENCY_PHASE.toSeconds()));
                System.err.printf(
                        Locale.ROOT, "bench: %s, %,d events paced at %,.0f ev/s ...%n", name, latencyEvents, rate);
                Instant paceStart;
                ProcessCpu.Phase pacedPhase;
                long paceNanos;
                try (KafkaProducer<byte[], byte[]> steady = new KafkaProducer<>(producerProperties(1))) {
                    // The JVMs — the gateway's, the broker's and this one — compile for the trickle of requests
                    // first: with a warm-up of fixed length (10 s), their compilers still took a fifth to a third of
                    // a core in the phase timed, of the two the gateway shares with them.
                    int round = (int) Math.max(1, rate * PACED_WARMUP_ROUND.toNanos() / 1e9);
                    for (Warmup w = Warmup.of("paced", compilers); w.another(); ) {
                        paced(steady, requests, produced, round, rate);
                        produced += round;
                    }
                    await(gateway, store, admin, requests, produced);

                    vacuum(store);
                    paceStart = Instant.now();
                    pacedPhase = new ProcessCpu.Phase(compilers);
                    paceNanos = System.nanoTime();
                    metricsBefore = gateway.metrics();
                    paced(steady, requests, produced, latencyEvents, rate);
                }
                produced += latencyEvents;
                await(gateway, store, admin, requests, produced);
                pacedCpu = pacedPhase.end(name + ", paced");
                autovacuums(store, name + ", paced", paceStart);
                busy = pacedCpu.values().stream().mapToLong(Long::longValue).sum()
                        / (double) (System.nanoTime() - paceNanos)
                        / Runtime.getRuntime().availableProcessors();
                metricsAfter = gateway.metrics();
                e2e = endToEndMicros(store, paceStart, "latency-" + name);
                peakHeap = Math.max(peakHeap, gateway.peakHeapBytes(gcMark));

                // A trickle, as between busy hours: too few events for a fetch's 4 KiB, so each fetch waits out
                // kafka.fetchWait.
                int trickleEvents = (int) (TRICKLE_RATE * TRICKLE.toSeconds());
                System.err.printf(
                        Locale.ROOT, "bench: %s, %,d events paced at %d ev/s ...%n", name, trickleEvents, TRICKLE_RATE);
                Instant trickleStart = Instant.now();
                try (KafkaProducer<byte[], byte[]> steady = new KafkaProducer<>(producerProperties(1))) {
                    paced(steady, requests, produced, trickleEvents, TRICKLE_RATE);
                }
                produced += trickleEvents;
                await(gateway, store, admin, requests, produced);
                trickle = endToEndMicros(store, trickleStart, "trickle-" + name);
            }
            Map<String, Long> idleCpu = idle(name, compilers);
            return new Result(
                    events,
                    seconds,
                    cpu / 1e9 / events,
                    tree,
                    Percentiles.fromBuckets(dlpBefore, dlpAfter, 0.50),
                    Percentiles.fromBuckets(dlpBefore, dlpAfter, 0.99),
                    latencyEvents,
                    rate,
                    busy,
                    pacedCpu,
                    e2e,
                    trickle,
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_WAITS, "lookup", 0.50),
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_WAITS, "lookup", 0.99),
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_WAITS, "write", 0.50),
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_WAITS, "write", 0.99),
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_FLUSHES, "write", 0.50),
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_FLUSHES, "write", 0.99),
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_QUEUE, "write", 0.50),
                    Percentiles.status(metricsBefore, metricsAfter, Meters.STATUS_QUEUE, "write", 0.99),
                    Percentiles.statusCount(metricsBefore, metricsAfter, Meters.STATUS_WAITS, "write")
                            / Percentiles.statusCount(metricsBefore, metricsAfter, Meters.STATUS_FLUSHES, "write"),
                    peakHeap,
                    gateway.peakRssBytes(),
                    idleCpu,
                    failed(store),
                    (double) valueBytes / events,
                    bodyBytes);
        }
    }

    /**
     * What each process takes with no events coming, for {@link #IDLE} from {@link #IDLE_SETTLE} after the last
     * event: with a gateway running, its fetches that wait for events, its commits and merges, and what they cost the
     * broker and PostgreSQL; without one, what the services take by themselves.
     */
    static Map<String, Long> idle(String name, ProcessCpu.Compilers compilers) throws Exception {
        Thread.sleep(IDLE_SETTLE);
        ProcessCpu.Phase phase = new ProcessCpu.Phase(compilers);
        Thread.sleep(IDLE);
        return phase.end(name + ", idle");
    }

    /** Sends {@code count} events of {@code of} at once and waits until they are sent; returns their bytes. */
    private long produce(
            KafkaProducer<byte[], byte[]> producer, String topic, Mix of, long from, int count, boolean warmup) {
        long bytes = 0;
        for (long i = from; i < from + count; i++) {
            bytes += send(producer, topic, warmup ? of.warmupEvent(i, Instant.now()) : of.event(i, Instant.now()));
        }
        producer.flush();
        return bytes;
    }

    /**
     * Sends {@code count} events at {@code perSecond}, in ticks of {@link #PACING_TICK}: each tick sends the events due
     * by then, each stamped when it is sent: the load generator wakes 200 times a second whatever the rate, not once
     * per event (every 0.3 ms at half the small mix's rate).
     */
    private void paced(KafkaProducer<byte[], byte[]> producer, String topic, long from, int count, double perSecond) {
        Pacing.run(count, perSecond, PACING_TICK, i -> send(producer, topic, mix.event(from + i, Instant.now())));
        producer.flush();
    }

    private static int send(KafkaProducer<byte[], byte[]> producer, String topic, DlpEvent event) {
        byte[] value = EventCodec.encode(event);
        producer.send(new ProducerRecord<>(topic, event.key().getBytes(StandardCharsets.UTF_8), value));
        return value.length;
    }

    /**
     * Waits until the group's offsets reach the end of every partition and {@code count} rows are terminal. Every
     * event was acknowledged before this is called, so the partitions' ends are read once; then the cheap committed
     * offsets are polled, and the rows counted only when they say done: counting a table of a hundred thousand rows
     * every few milliseconds took PostgreSQL CPU from the run it was timing.
     */
    private void await(GatewayJvm gateway, DataSource store, Admin admin, String topic, long count) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (committed(admin, ends) && terminalRows(store) >= count) {
                return;
            }
            // Each look is a request to the broker sharing the two cores: every 20 ms the end of a phase of several
            // seconds is still within 1 %.
            Thread.sleep(20);
        }
        throw new IllegalStateException("the gateway did not finish " + count + " events: " + gateway.tail());
    }

    /**
     * Pays the vacuum debt the writes before left, its warm-up's included, right before a phase timed: autovacuum
     * looks at the database once a minute, so its passes over those rows fell inside the phase or outside it by chance
     * (the paced phase's warm-up, tens of thousands of rows, had come after this vacuum). Run after run, the phase then
     * starts from the same state, as a gateway does whose database has kept up with its writes.
     */
    static void vacuum(DataSource store) throws SQLException {
        long start = System.nanoTime();
        try (Connection c = store.getConnection();
                Statement s = c.createStatement()) {
            s.execute("VACUUM (ANALYZE) gateway.requests, gateway.request_history");
        }
        System.err.printf(
                Locale.ROOT, "bench: the status tables vacuumed in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /**
     * Says which passes of autovacuum (or its analyze) over the status tables ended after {@code since}, inside the
     * phase just timed: one there takes CPU from the status writes, and holds their inserts into the search terms'
     * pending list while it merges it.
     */
    static void autovacuums(DataSource store, String phase, Instant since) throws SQLException {
        List<String> passes = new ArrayList<>();
        try (Connection c = store.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT relname, last_autovacuum, last_autoanalyze"
                        + " FROM pg_stat_user_tables WHERE schemaname = 'gateway' ORDER BY relname")) {
            while (r.next()) {
                for (String pass : List.of("autovacuum", "autoanalyze")) {
                    Timestamp ended = r.getTimestamp("last_" + pass);
                    if (ended != null && ended.toInstant().isAfter(since)) {
                        double at = Duration.between(since, ended.toInstant()).toMillis() / 1e3;
                        passes.add(String.format(Locale.ROOT, "%s of %s ended %.1f s in", pass, r.getString(1), at));
                    }
                }
            }
        }
        System.err.printf(
                Locale.ROOT,
                "bench: %s: %s%n",
                phase,
                passes.isEmpty() ? "no autovacuum pass inside the phase timed" : String.join(", ", passes));
    }

    private static long terminalRows(DataSource store) throws Exception {
        try (Connection c = store.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT count(*) FROM gateway.requests WHERE status IN " + Status.TERMINAL_SQL);
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // the schema is not there until the gateway has migrated it
        }
    }

    private boolean committed(Admin admin, Map<TopicPartition, ListOffsetsResultInfo> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(name)
                .partitionsToOffsetAndMetadata()
                .get();
        for (var e : ends.entrySet()) {
            OffsetAndMetadata at = committed.get(e.getKey());
            long end = e.getValue().offset();
            if (end > 0 && (at == null || at.offset() < end)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Microseconds of each event of the latency phase from its {@code ts} to its terminal status being durable — the
     * moment the gateway publishes it to the status topic, right after its write commits — and of the stages between:
     * to the row's {@code received_at} (a worker took it in: the broker, the fetch, its key's turn), to its {@code
     * completed_at} (the decision: the DLP call), and on to durable (the status write).
     */
    record EndToEnd(long[] total, long[] toWorker, long[] toDecision, long[] toDurable) {
        static final EndToEnd NONE = new EndToEnd(new long[0], new long[0], new long[0], new long[0]);
    }

    /** The latency by stage of the events stamped since {@code since}, each also written to {@code file}.csv. */
    private EndToEnd endToEndMicros(DataSource store, Instant since, String file) throws Exception {
        Map<String, Instant> durable = terminalStatusTimes(since);
        List<long[]> events = new ArrayList<>();
        int unpublished = 0;
        try (Connection c = store.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT event_id, event_ts, received_at, completed_at,"
                        + " kafka_partition, kafka_offset, chat FROM gateway.requests"
                        + " WHERE event_ts >= ? AND completed_at IS NOT NULL ORDER BY event_ts")) {
            s.setTimestamp(1, Timestamp.from(since));
            StringBuilder csv = new StringBuilder("event_ts,received_ms,decided_ms,durable_ms,partition,offset,chat\n");
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Instant done = durable.get(r.getString(1));
                    if (done == null) {
                        unpublished++;
                        continue;
                    }
                    Instant ts = r.getTimestamp(2).toInstant();
                    Instant received = r.getTimestamp(3).toInstant();
                    Instant decided = r.getTimestamp(4).toInstant();
                    events.add(new long[] {
                        micros(ts, done), micros(ts, received), micros(received, decided), micros(decided, done)
                    });
                    csv.append(ts)
                            .append(',')
                            .append(Duration.between(ts, received).toNanos() / 1e6)
                            .append(',')
                            .append(Duration.between(ts, decided).toNanos() / 1e6)
                            .append(',')
                            .append(Duration.between(ts, done).toNanos() / 1e6)
                            .append(',')
                            .append(r.getInt(5))
                            .append(',')
                            .append(r.getLong(6))
                            .append(',')
                            .append(r.getString(7))
                            .append('\n');
                }
            }
            // Every event of the phase, for a closer look at the tail than two percentiles give.
            Files.writeString(dir.resolve(file + ".csv"), csv);
        }
        if (unpublished > 0) {
            System.err.printf("bench: %d decided events had no terminal status on the status topic%n", unpublished);
        }
        return new EndToEnd(
                events.stream().mapToLong(e -> e[0]).toArray(),
                events.stream().mapToLong(e -> e[1]).toArray(),
                events.stream().mapToLong(e -> e[2]).toArray(),
                events.stream().mapToLong(e -> e[3]).toArray());
    }

    private static long micros(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1000;
    }

    /** When each terminal status published since {@code since} was published (its {@code ts}), by event id. */
    private Map<String, Instant> terminalStatusTimes(Instant since) {
        TopicPartition status = new TopicPartition(name + ".status", 0);
        Map<String, Instant> times = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            consumer.assign(List.of(status));
            long end = consumer.endOffsets(List.of(status)).get(status);
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(status, since.toEpochMilli()))
                    .get(status);
            consumer.seek(status, from == null ? end : from.offset());
            while (consumer.position(status) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    JsonNode json = readJson(record.value());
                    if (Status.valueOf(json.path("status").asText()).terminal()) {
                        times.put(
                                json.path("id").asText(),
                                Instant.parse(json.path("ts").asText()));
                    }
                }
            }
        }
        return times;
    }

    private static JsonNode readJson(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a status record that is not JSON: " + e.getMessage(), e);
        }
    }

    private static int failed(DataSource store) throws Exception {
        try (Connection c = store.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT count(*) FROM gateway.requests WHERE status = 'FAILED'");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getInt(1);
        }
    }

    /**
     * The paced phase never waits for an acknowledgement, so a slow one cannot bunch the following events into a
     * burst, and lingers 1 ms: the events of a tick share a produce request, as a busy producer's do, instead of the
     * benchmark's producer and the broker taking a core between them for one request per event. The linger counts in
     * the measured latency (each event is stamped before it is sent).
     */
    private Properties producerProperties(int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
