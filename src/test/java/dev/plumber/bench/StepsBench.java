package dev.plumber.bench;

import com.sun.management.ThreadMXBean;
import dev.plumber.event.DlpEvent;
import dev.plumber.event.EventCodec;
import dev.plumber.event.MalformedEventException;
import dev.plumber.event.MessageEvent;
import dev.plumber.event.Timestamps;
import dev.plumber.icap.HttpRequestHead;
import dev.plumber.icap.IcapEncoder;
import dev.plumber.icap.IcapHeaders;
import dev.plumber.icap.IcapProtocolException;
import dev.plumber.icap.IcapRequest;
import dev.plumber.icap.IcapResponse;
import dev.plumber.icap.IcapResponseDecoder;
import dev.plumber.status.ContentCipher;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntToLongFunction;

/**
 * The steps of a small message's way through the gateway that need no service, each timed alone in this JVM: its CPU
 * time and allocation per call, on the end-to-end benchmark's events. Steps that have a peer — the JDK's way of doing
 * the same — are timed beside it in the same run. It is for a change to one of them: a few microseconds an event,
 * which the end-to-end runs cannot tell from their spread.
 */
final class StepsBench {
    private static final String USAGE =
            """
            usage: scripts/bench steps [--rounds 7] [--round-ms 1000]
              --rounds    timed rounds of every step, alternating (after warm-up rounds until the JIT has settled)
              --round-ms  the length of each round
            """;

    private static final int EVENTS = 10_000;

    private static final URI SERVICE = URI.create("icap://127.0.0.1:1344/echo");

    /** c-icap 0.5.10's echo service answering a small message's REQMOD (read off the wire). */
    private static final byte[] ECHO_ANSWER = ascii("ICAP/1.0 200 OK\r\nServer: C-ICAP/0.5.10\r\n"
            + "Connection: keep-alive\r\nISTag: \"CI0001-XXXXXXXXX\"\r\nEncapsulated: req-hdr=0, req-body=156\r\n\r\n"
            + "POST /api/messages HTTP/1.1\r\nHost: dlp.example\r\nContent-Type: application/json\r\n"
            + "Content-Length: 200\r\nVia: ICAP/1.0 vm (C-ICAP/0.5.10 Echo demo service )\r\n\r\n"
            + "c8\r\n" + "{\"id\":\"x\",\"text\":\"" + "a".repeat(180) + "\"}\r\n0\r\n\r\n");

    /** The same server allowing a message without an answer body, as its content filter does. */
    private static final byte[] NO_CONTENT = ascii("ICAP/1.0 204 No Content\r\nServer: C-ICAP/0.5.10\r\n"
            + "Connection: keep-alive\r\nISTag: \"CI0001-XXXXXXXXX\"\r\nEncapsulated: null-body=0\r\n\r\n");

    private static final HttpRequestHead JSON_POST = HttpRequestHead.of(
            "POST",
            "http://dlp.example/api/messages",
            IcapHeaders.of("Host", "dlp.example").with("Content-Type", "application/json"));

    /** A connection's decoder, which reads one answer after another. */
    private static final IcapResponseDecoder DECODER = new IcapResponseDecoder(64 * 1024);

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private StepsBench() {}

    static void run(String[] args) throws Exception {
        int rounds = 7;
        long roundNanos = 1_000_000_000L;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--round-ms" -> roundNanos = Long.parseLong(args[++i]) * 1_000_000;
                default -> {
                    System.out.print(USAGE);
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        byte[][] values = new byte[EVENTS][];
        MessageEvent[] messages = new MessageEvent[EVENTS];
        Instant[] instants = new Instant[EVENTS];
        Instant start = Instant.now();
        for (int i = 0; i < EVENTS; i++) {
            DlpEvent event = Mix.SMALL.event(i, start.plusNanos(i * 317_123L));
            values[i] = EventCodec.encode(event);
            messages[i] = (MessageEvent) event;
            instants[i] = event.ts();
        }
        ContentCipher cipher = new ContentCipher(new byte[32], new SecureRandom());
        Map<String, IntToLongFunction> steps = new LinkedHashMap<>();
        steps.put("decode an event", i -> decode(values[i]).id().getLeastSignificantBits());
        steps.put("search terms of its text", i -> cipher.terms(messages[i].text()).length);
        steps.put(
                "seal its text",
                i -> cipher.seal(messages[i].text(), messages[i].id().toString()).length);
        steps.put("encode its ICAP REQMOD head", i -> reqmodHead(messages[i]).length);
        steps.put("decode c-icap echo's answer", i -> answer(ECHO_ANSWER).body().length);
        steps.put("decode a 204 answer", i -> answer(NO_CONTENT).status());
        steps.put("Timestamps.format", i -> Timestamps.format(instants[i]).length());
        steps.put("Instant.toString (its peer)", i -> instants[i].toString().length());

        Map<String, List<double[]>> figures = new LinkedHashMap<>();
        steps.keySet().forEach(name -> figures.put(name, new ArrayList<>()));
        long sink = 0;
        double[] warmingUp = new double[2];
        for (Warmup w = Warmup.here("steps"); w.another(); ) {
            for (IntToLongFunction step : steps.values()) {
                sink += time(step, roundNanos, warmingUp);
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, IntToLongFunction> step : steps.entrySet()) {
                double[] perCall = new double[2];
                sink += time(step.getValue(), roundNanos, perCall);
                figures.get(step.getKey()).add(perCall);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%d timed rounds of %d ms per step, alternating, after the JIT settled (checksum %d)%n%n",
                rounds,
                roundNanos / 1_000_000,
                sink & 0xff);
        System.out.println("| step | CPU ns per call, median (min–max of rounds) | bytes allocated per call |");
        System.out.println("|---|--:|--:|");
        figures.forEach((name, runs) -> {
            double[] ns = runs.stream().mapToDouble(r -> r[0]).sorted().toArray();
            double bytes = runs.stream().mapToDouble(r -> r[1]).average().orElse(0);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.0f (%.0f–%.0f) | %.0f |%n",
                    name,
                    ns[ns.length / 2],
                    ns[0],
                    ns[ns.length - 1],
                    bytes);
        });
    }

    /** Calls {@code step} over the events for {@code roundNanos}; its CPU ns and bytes per call go to {@code out}. */
    private static long time(IntToLongFunction step, long roundNanos, double[] out) {
        long sink = 0;
        long calls = 0;
        long cpu = THREADS.getCurrentThreadCpuTime();
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        long end = System.nanoTime() + roundNanos;
        while (System.nanoTime() < end) {
            for (int i = 0; i < EVENTS; i += 10) {
                sink += step.applyAsLong((int) ((calls + i) % EVENTS));
            }
            calls += EVENTS / 10;
        }
        out[0] = (double) (THREADS.getCurrentThreadCpuTime() - cpu) / calls;
        out[1] = (double) (THREADS.getCurrentThreadAllocatedBytes() - allocated) / calls;
        return sink;
    }

    /**
     * The REQMOD head of a small message as the gateway sends it: the SearchInform headers, Allow and Preview, the HTTP
     * head (made once per DLP settings) with the body's length.
     */
    private static byte[] reqmodHead(MessageEvent m) {
        IcapHeaders icap = IcapHeaders.of("X-Authenticated-User", m.sender())
                .with("X-Client-IP", m.ip())
                .replacing("Allow", "204")
                .replacing("Preview", "1024");
        return IcapEncoder.encodeHead(IcapRequest.reqmod(SERVICE, icap, JSON_POST, 320));
    }

    /** An answer decoded as the client reads it: the response, then its ISTag and whether it closes the connection. */
    private static IcapResponse answer(byte[] wire) {
        DECODER.feed(wire, 0, wire.length);
        try {
            IcapResponse response = DECODER.next();
            if (response.closesConnection() || response.istag() == null) {
                throw new IllegalStateException("the benchmark's own answer reads otherwise: " + response);
            }
            return response;
        } catch (IcapProtocolException e) {
            throw new IllegalStateException("the benchmark's own answer did not decode", e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static DlpEvent decode(byte[] value) {
        try {
            return EventCodec.decode(value);
        } catch (MalformedEventException e) {
            throw new IllegalStateException("the benchmark's own event did not decode: " + Arrays.toString(value), e);
        }
    }
}
