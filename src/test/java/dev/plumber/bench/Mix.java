package dev.plumber.bench;

import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * A work mix: which events the benchmark produces, the gateway's heap for it, and whether an end-to-end latency phase
 * at half the saturation rate follows.
 *
 * @param filesEvery every n-th event is a file event (0: messages only)
 * @param fileBytes the length of each file
 * @param defaultEvents the events of one run unless {@code --events} says otherwise
 * @param warmup the events of one warm-up round (for the 10 MiB mix 20 files, so that their calls overlap as the run's
 *     do)
 * @param warmupFileBytes the length of each file during the warm-up (smaller for the 1 GiB file: a warm JIT, not a
 *     second gigabyte)
 */
record Mix(
        String name,
        int filesEvery,
        long fileBytes,
        int defaultEvents,
        int warmup,
        long warmupFileBytes,
        String gatewayHeap,
        boolean latencyPhase) {

    static final Mix SMALL = new Mix("small", 0, 0, 100_000, 4_000, 0, "256m", true);
    static final Mix FILES_100K = new Mix("files100k", 2, 100 << 10, 20_000, 1_000, 100 << 10, "256m", true);
    static final Mix FILES_10M = new Mix("files10m", 10, 10 << 20, 5_000, 200, 10 << 20, "256m", false);
    static final Mix FILE_1G = new Mix("file1g", 1, 1L << 30, 1, 50, 4 << 20, "128m", false);

    /** The small messages each side handles before a mix's own warm-up, as a gateway that has been running has. */
    static final int PRELUDE = 20_000;

    /** Chats the messages are spread over (the Kafka keys, so the gateway's parallelism). */
    static final int CHATS = 1_000;

    Mix withGatewayHeap(String heap) {
        return new Mix(name, filesEvery, fileBytes, defaultEvents, warmup, warmupFileBytes, heap, latencyPhase);
    }

    static Mix named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "small" -> SMALL;
            case "files100k" -> FILES_100K;
            case "files10m" -> FILES_10M;
            case "file1g" -> FILE_1G;
            default ->
                throw new IllegalArgumentException("unknown mix '" + name + "' (small, files100k, files10m, file1g)");
        };
    }

    boolean hasFiles() {
        return filesEvery > 0;
    }

    /** Event {@code i} of a run, stamped {@code ts}. */
    DlpEvent event(long i, Instant ts) {
        return event(i, ts, fileBytes);
    }

    /** Event {@code i} of the warm-up, stamped {@code ts}. */
    DlpEvent warmupEvent(long i, Instant ts) {
        return event(i, ts, warmupFileBytes);
    }

    private DlpEvent event(long i, Instant ts, long fileBytes) {
        UUID id = UUID.randomUUID();
        String sender = "user" + (i % 500) + "@bench.local";
        if (filesEvery > 0 && i % filesEvery == 0) {
            return new FileEvent(
                    id,
                    FileServer.hash(fileBytes, id),
                    "report-" + i + ".bin",
                    fileBytes,
                    "application/octet-stream",
                    sender,
                    "10.0.0.5",
                    ts);
        }
        // About 200 bytes of event JSON: a short chat line.
        return new MessageEvent(
                id,
                i,
                sender,
                "chat-" + (i % CHATS),
                "group",
                "see you at the review at " + (i % 24) + ":00, room 4",
                null,
                "",
                "10.0.0.5",
                ts,
                false);
    }
}
