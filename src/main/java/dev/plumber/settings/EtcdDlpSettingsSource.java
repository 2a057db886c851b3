package dev.plumber.settings;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DLP settings from etcd (SPEC §2): reads {@code /vars/services/plumber/<PREFIX>/public/service/DLP/<KEY>} for each
 * configured prefix (later prefixes override earlier ones key by key), watches them, and publishes a new validated
 * {@link DlpSettings} on every valid change. An invalid change is logged, counted and rejected; the last valid
 * settings stay. While etcd cannot be reached the source keeps what it has and retries with backoff; it never
 * throws for that.
 *
 * <p>All reading, watching and publishing happens on one scheduler thread, so listeners see changes in order.
 */
public final class EtcdDlpSettingsSource implements DlpSettingsSource {
    private static final Logger log = LoggerFactory.getLogger(EtcdDlpSettingsSource.class);

    /** How long to wait before the {@code attempt}-th retry (from 1) of reaching etcd. */
    @FunctionalInterface
    public interface Backoff {
        Duration delay(int attempt);

        /** {@code first}, doubling on each attempt, never more than {@code max}. */
        static Backoff exponential(Duration first, Duration max) {
            return attempt -> {
                Duration delay = first;
                for (int i = 1; i < attempt && delay.compareTo(max) < 0; i++) {
                    delay = delay.multipliedBy(2);
                }
                return delay.compareTo(max) > 0 ? max : delay;
            };
        }
    }

    /** From half a second up to 30 s: quick when etcd blinks, quiet when it is gone for long. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final Client client;
    private final List<String> prefixes;
    private final Duration timeout;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private final String endpoints;
    private final List<Consumer<DlpSettings>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong rejectedChanges = new AtomicLong();

    private volatile DlpSettings current;
    private volatile String problem;
    private volatile boolean connected;
    private volatile boolean closed;

    private volatile Watch.Watcher watcher; // written on the scheduler thread, closed from close()

    // Confined to the scheduler thread.
    private long revision;
    private int watchGeneration;
    private boolean watchConfirmed;
    private boolean watchCompacted;
    private int readFailures;
    private int watchRestarts;
    private ScheduledFuture<?> pendingRefresh;
    private Map<String, String> lastRejected;
    private String lastWarning;

    /**
     * Creates the source over {@code client}; call {@link #begin()} to start reading. The scheduler must be
     * single-threaded; it is shut down on {@link #close()}.
     */
    EtcdDlpSettingsSource(
            Client client,
            List<String> prefixes,
            Duration timeout,
            Backoff backoff,
            ScheduledExecutorService scheduler,
            String endpoints) {
        this.client = Objects.requireNonNull(client);
        this.prefixes = List.copyOf(prefixes);
        this.timeout = Objects.requireNonNull(timeout);
        this.backoff = Objects.requireNonNull(backoff);
        this.scheduler = Objects.requireNonNull(scheduler);
        this.endpoints = endpoints;
        if (this.prefixes.isEmpty()) {
            throw new IllegalArgumentException("etcd.prefixes is empty: name at least one prefix");
        }
        this.problem = "DLP settings not read from etcd " + endpoints + " yet";
    }

    /** Connects to etcd in the background with the default backoff; see {@link #start(GatewayConfig.Etcd, Backoff)}. */
    public static EtcdDlpSettingsSource start(GatewayConfig.Etcd config) {
        return start(config, DEFAULT_BACKOFF);
    }

    /**
     * Connects to etcd in the background and returns at once: {@link #current()} stays empty, and
     * {@link #problem()} says why, until valid settings have been read.
     *
     * @throws IllegalArgumentException if the configuration itself is wrong (no endpoints, no {@code http://})
     */
    public static EtcdDlpSettingsSource start(GatewayConfig.Etcd config, Backoff backoff) {
        EtcdDlpSettingsSource source = create(config, backoff);
        source.begin();
        return source;
    }

    /** The source {@link #start} starts, not reading yet: a listener added before {@link #begin()} hears every read. */
    static EtcdDlpSettingsSource create(GatewayConfig.Etcd config, Backoff backoff) {
        if (config.endpoints().isEmpty()) {
            throw new IllegalArgumentException("etcd.endpoints is empty");
        }
        List<URI> uris =
                config.endpoints().stream().map(EtcdDlpSettingsSource::endpoint).toList();
        ClientBuilder builder = Client.builder().endpoints(uris).connectTimeout(config.timeout());
        if (config.user() != null && !config.user().isBlank()) {
            builder.user(bytes(config.user())).password(bytes(Objects.requireNonNullElse(config.password(), "")));
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "etcd-dlp-settings");
            thread.setDaemon(true);
            return thread;
        });
        return new EtcdDlpSettingsSource(
                builder.build(), config.prefixes(), config.timeout(), backoff, scheduler, uris.toString());
    }

    /** Starts the first read; later work schedules itself. */
    void begin() {
        post(() -> scheduleRefresh(Duration.ZERO));
    }

    @Override
    public Optional<DlpSettings> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public String problem() {
        return problem;
    }

    /** Whether etcd answered the last read or watch (the settings in force stay either way). */
    public boolean connected() {
        return connected;
    }

    /** How many changes to the settings were invalid and rejected since start. */
    @Override
    public long rejectedChanges() {
        return rejectedChanges.get();
    }

    /**
     * Calls {@code listener} with every newly applied settings, on the source's thread. Add it before reading
     * {@link #current()} so that no change falls between the two.
     */
    public void addListener(Consumer<DlpSettings> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
        client.close();
    }

    // ---- reading -------------------------------------------------------------------------------------------

    private void refresh() {
        pendingRefresh = null;
        if (closed) {
            return;
        }
        Map<String, String> values;
        long readRevision;
        try {
            GetResponse first = get(EtcdDlpKeys.folder(prefixes.get(0)), 0);
            readRevision = first.getHeader().getRevision();
            values = new LinkedHashMap<>(toMap(first));
            // The other folders at the same revision: one consistent snapshot.
            for (String prefix : prefixes.subList(1, prefixes.size())) {
                values.putAll(toMap(get(EtcdDlpKeys.folder(prefix), readRevision)));
            }
        } catch (Exception e) {
            unreachable(e);
            return;
        }
        if (readFailures > 0) {
            log.info("etcd {} reachable again", endpoints);
            lastWarning = null; // a later loss is worth a new warning
        }
        connected = true;
        readFailures = 0;
        revision = Math.max(revision, readRevision);
        apply(values);
        if (watcher == null) {
            watch();
        }
    }

    private GetResponse get(String folder, long atRevision) throws Exception {
        GetOption.Builder option = GetOption.builder().isPrefix(true);
        if (atRevision > 0) {
            option.withRevision(atRevision);
        }
        CompletableFuture<GetResponse> future = client.getKVClient().get(bytes(folder), option.build());
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new TimeoutException("no answer within " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private void unreachable(Exception e) {
        connected = false;
        readFailures++;
        Duration delay = backoff.delay(readFailures);
        String reason = "cannot read from etcd " + endpoints + " (" + describe(e) + ")";
        if (current == null) {
            problem = reason + "; no DLP settings yet, retrying";
        }
        warnOnce(reason + "; " + (current == null ? "no DLP settings yet" : "keeping the DLP settings in force")
                + ", retrying with backoff");
        scheduleRefresh(delay);
    }

    private void apply(Map<String, String> values) {
        Map<String, String> merged = EtcdDlpKeys.merge(prefixes, values);
        DlpSettings next;
        try {
            next = DlpSettings.fromMap(merged);
        } catch (InvalidSettingsException e) {
            if (!merged.equals(lastRejected)) {
                lastRejected = merged;
                rejectedChanges.incrementAndGet();
            }
            problem = current == null
                    ? "no valid DLP settings in etcd under " + folders() + ": " + e.getMessage()
                    : "DLP settings change in etcd rejected, keeping the last valid settings: " + e.getMessage();
            warnOnce(problem);
            return;
        }
        lastRejected = null;
        lastWarning = null;
        problem = null;
        if (next.equals(current)) {
            return;
        }
        current = next;
        log.info("DLP settings applied from etcd: {}", next.describe());
        for (Consumer<DlpSettings> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                log.error("DLP settings listener failed", e);
            }
        }
    }

    // ---- watching ------------------------------------------------------------------------------------------

    /** Watches the whole plumber folder from the revision after the last one read; events are filtered here. */
    private void watch() {
        int generation = ++watchGeneration;
        watchConfirmed = false;
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withRevision(revision + 1)
                .withCreateNotify(true)
                .build();
        watcher = client.getWatchClient()
                .watch(
                        bytes(EtcdDlpKeys.ROOT),
                        option,
                        Watch.listener(
                                response -> post(() -> onWatch(generation, response)),
                                error -> post(() -> onWatchError(generation, error)),
                                () -> post(() -> onWatchEnded(generation))));
        schedule(() -> checkConfirmed(generation), timeout);
    }

    /**
     * jetcd starts a watch once its connection is up and waits for that quietly, with no error to report: a watch
     * etcd has not confirmed within {@code etcd.timeout} means etcd cannot be reached, though the read before it
     * succeeded (the network went in between). It is given up for a read with backoff, which watches again.
     */
    private void checkConfirmed(int generation) {
        if (generation != watchGeneration || closed || watchConfirmed) {
            return;
        }
        watchGeneration++; // the given-up watch's callbacks are ignored from here on
        Watch.Watcher unconfirmed = watcher;
        watcher = null;
        unconfirmed.close();
        unreachable(new TimeoutException(
                "the watch of the DLP settings was not set up within " + timeout.toMillis() + " ms"));
    }

    private void onWatch(int generation, WatchResponse response) {
        if (generation != watchGeneration || closed) {
            return;
        }
        watchConfirmed = true; // the first answer is etcd's confirmation that the watch is set up (create notify)
        if (!connected) {
            log.info("etcd {} reachable again; the watch of the DLP settings resumed", endpoints);
            connected = true;
            lastWarning = null;
        }
        watchRestarts = 0;
        boolean relevant = false;
        for (WatchEvent event : response.getEvents()) {
            KeyValue kv = event.getKeyValue();
            revision = Math.max(revision, kv.getModRevision());
            relevant |= EtcdDlpKeys.concerns(prefixes, kv.getKey().toString(StandardCharsets.UTF_8));
        }
        if (relevant) {
            scheduleRefresh(Duration.ZERO);
        }
    }

    /** jetcd resumes the watch by itself after connection errors (from the revision after its last event). */
    private void onWatchError(int generation, Throwable error) {
        if (generation != watchGeneration || closed) {
            return;
        }
        if (error instanceof CompactedException || error.getCause() instanceof CompactedException) {
            // The watch cannot resume: the revisions it missed are gone. Re-read everything when it ends.
            watchCompacted = true;
            return;
        }
        connected = false;
        warnOnce("etcd " + endpoints + " unreachable (" + describe(error) + "); keeping "
                + (current == null ? "no DLP settings" : "the DLP settings in force")
                + ", the watch resumes when it is back");
    }

    /** jetcd gave the watch up (compaction, or an error it does not retry): re-read, then watch again. */
    private void onWatchEnded(int generation) {
        if (generation != watchGeneration || closed) {
            return;
        }
        watcher = null;
        if (watchCompacted) {
            watchCompacted = false;
            log.info("etcd compacted past the watched revision; re-reading the DLP settings");
            scheduleRefresh(Duration.ZERO);
        } else {
            scheduleRefresh(backoff.delay(++watchRestarts));
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    /** At most one read is pending; asking for an earlier one brings it forward. On the scheduler thread. */
    private void scheduleRefresh(Duration delay) {
        if (pendingRefresh != null) {
            if (pendingRefresh.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
                return;
            }
            pendingRefresh.cancel(false);
        }
        pendingRefresh = schedule(this::refresh, delay);
    }

    private void post(Runnable task) {
        schedule(task, Duration.ZERO);
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        if (closed) {
            return null;
        }
        try {
            return scheduler.schedule(
                    () -> {
                        try {
                            task.run();
                        } catch (RuntimeException e) {
                            log.error("DLP settings from etcd: unexpected failure", e);
                        }
                    },
                    delay.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // closing: nothing more to do
        }
    }

    private void warnOnce(String message) {
        if (!message.equals(lastWarning)) {
            lastWarning = message;
            log.warn(message);
        }
    }

    private String folders() {
        return prefixes.stream().map(EtcdDlpKeys::folder).toList().toString();
    }

    private static Map<String, String> toMap(GetResponse response) {
        Map<String, String> values = new LinkedHashMap<>();
        for (KeyValue kv : response.getKvs()) {
            values.put(
                    kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static URI endpoint(String value) {
        URI uri;
        try {
            uri = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("etcd endpoint '" + value + "' is not a URL", e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("etcd endpoint '" + value + "' needs the scheme, e.g. http://"
                    + value.strip() + " (etcd.endpoints)");
        }
        return uri;
    }

    private static ByteSequence bytes(String value) {
        return ByteSequence.from(value, StandardCharsets.UTF_8);
    }
}
