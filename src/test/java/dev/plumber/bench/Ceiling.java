package dev.plumber.bench;

import dev.plumber.event.DlpEvent;
import dev.plumber.files.HttpFileSource;
import dev.plumber.searchinform.SearchInformSender;
import dev.plumber.settings.DlpSettings;
import dev.plumber.transport.IcapClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The ceiling: our ICAP client and SearchInform sender alone, with the gateway's connection count, driving the same
 * service with the same events (and files from the same file service) from {@code concurrency} virtual threads in a
 * tight loop. No Kafka, no status store, no policy.
 */
final class Ceiling {
    /** What one ceiling run measured. */
    record Result(int calls, double seconds, long[] callNanos, Map<String, Long> cpuNanosByRole, long dlpBodyBytes) {
        double perSecond() {
            return calls / seconds;
        }

        /** What one call cost the whole process tree. */
        double pipelineCpuSecondsPerEvent() {
            return cpuNanosByRole.values().stream().mapToLong(Long::longValue).sum() / 1e9 / calls;
        }

        double dlpBodyMiBPerSecond() {
            return dlpBodyBytes / seconds / (1 << 20);
        }
    }

    private Ceiling() {}

    /**
     * Runs the ceiling. With a {@code recording} path (null: none), its timed phase is recorded with Flight Recorder —
     * this JVM's, the file service's threads included — as {@link GatewayJvm#startRecording} records the gateway's.
     */
    static Result run(
            Mix mix,
            int warmup,
            int calls,
            URI service,
            String filesUrl,
            int connections,
            int concurrency,
            Path recording)
            throws Exception {
        DlpSettings settings = DlpSettings.fromMap(Map.of("system", "icap", "address", service.toString()));
        Duration timeout = mix.fileBytes() > (64 << 20) ? Duration.ofMinutes(10) : Duration.ofSeconds(60);
        try (IcapClient icap = new IcapClient(connections, Clock.systemUTC());
                HttpFileSource files = new HttpFileSource(filesUrl, null, Duration.ofSeconds(5))) {
            SearchInformSender sender = new SearchInformSender(icap, files, timeout);
            loop(Mix.SMALL, sender, settings, Mix.PRELUDE, concurrency, new long[Mix.PRELUDE], true);
            ProcessCpu.Compilers compilers = new ProcessCpu.Compilers();
            for (Warmup w = Warmup.of("ceiling", compilers); warmup > 0 && w.another(); ) {
                loop(mix, sender, settings, warmup, concurrency, new long[warmup], true);
            }
            long[] took = new long[calls];
            // The recording's start and dump cost CPU outside the time measured: neither is in the phase.
            Recording jfr = recording == null ? null : startRecording();
            ProcessCpu.Phase phase = new ProcessCpu.Phase(compilers);
            long bodyBytes = icap.bodyBytesSent();
            long start = System.nanoTime();
            loop(mix, sender, settings, calls, concurrency, took, false);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Long> used = phase.end(mix.name() + ", ceiling");
            if (jfr != null) {
                jfr.dump(recording);
                jfr.close();
            }
            return new Result(calls, seconds, took, used, icap.bodyBytesSent() - bodyBytes);
        }
    }

    private static Recording startRecording() throws IOException, ParseException {
        Map<String, String> settings =
                new HashMap<>(Configuration.getConfiguration("profile").getSettings());
        settings.put("jdk.ExecutionSample#period", GatewayJvm.SAMPLE_PERIOD);
        Recording recording = new Recording(settings);
        recording.start();
        return recording;
    }

    private static void loop(
            Mix mix,
            SearchInformSender sender,
            DlpSettings settings,
            int calls,
            int concurrency,
            long[] took,
            boolean warmup)
            throws Exception {
        List<DlpEvent> events = new ArrayList<>(calls);
        Instant now = Instant.now();
        for (int i = 0; i < calls; i++) {
            events.add(warmup ? mix.warmupEvent(i, now) : mix.event(i, now));
        }
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int t = 0; t < Math.min(concurrency, Math.max(1, calls)); t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i; (i = next.getAndIncrement()) < calls; ) {
                    long start = System.nanoTime();
                    try {
                        sender.send(events.get(i), settings);
                    } catch (Exception e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                        return;
                    }
                    took[i] = System.nanoTime() - start;
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw new IllegalStateException("the ceiling run failed: " + failure[0], failure[0]);
            }
        }
    }
}
