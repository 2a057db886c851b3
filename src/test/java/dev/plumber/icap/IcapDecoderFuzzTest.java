package dev.plumber.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Properties of both decoders over seeded random input: any split of valid bytes decodes as the whole does, a
 * truncated message only ever asks for more, and mutated or random bytes end in {@link IcapProtocolException} or a
 * request for more bytes, never another exception and never a loop. A failure names its seed; rerun one with {@code
 * -Dicap.fuzz.seed=N}, run longer with {@code -Dicap.fuzz.rounds=N}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IcapDecoderFuzzTest {
    private static final long SEED = Long.getLong("icap.fuzz.seed", 20261123L);
    private static final int ROUNDS = Integer.getInteger("icap.fuzz.rounds", 400);
    private static final int BODY_LIMIT = 1 << 20;

    /** Fragments that steer mutations towards the parsers' edges. */
    private static final String[] SPLICES = {
        "\r\n",
        "\r\n\r\n",
        "\n",
        "\r",
        " ",
        "\t",
        ":",
        ";",
        ",",
        "=",
        "0",
        "-1",
        "+1",
        "ffffffffffffffff",
        "7fffffff",
        "ICAP/1.0 ",
        "HTTP/1.1 ",
        "Encapsulated: ",
        "req-hdr=0",
        "res-hdr=0",
        "req-body=",
        "null-body=0",
        "res-body=99999999",
        "0; ieof\r\n\r\n",
        "Preview: 0\r\n",
        "\u00ff",
        "\u0000"
    };

    @Test
    void responsesDecodeTheSameWhateverTheSplit() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long seed = SEED + round;
            Random random = new Random(seed);
            RandomIcap gen = new RandomIcap(random);
            List<RandomIcap.WireResponse> messages = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                RandomIcap.WireResponse m = gen.response();
                messages.add(m);
                wire.writeBytes(m.wire());
            }

            List<IcapResponse> decoded = decodeResponses(wire.toByteArray(), random, seed);

            assertThat(decoded).as("seed %d", seed).hasSameSizeAs(messages);
            for (int i = 0; i < messages.size(); i++) {
                assertSame(decoded.get(i), messages.get(i).response(), seed);
            }
        }
    }

    @Test
    void requestsDecodeTheSameWhateverTheSplit() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long seed = SEED + round;
            Random random = new Random(seed);
            RandomIcap gen = new RandomIcap(random);
            List<IcapRequestDecoder.Part> expected = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                RandomIcap.WireRequest m = gen.request();
                expected.addAll(m.parts());
                wire.writeBytes(m.wire());
            }

            List<IcapRequestDecoder.Part> decoded = decodeRequests(wire.toByteArray(), random, seed);

            assertThat(decoded).as("seed %d", seed).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertSame(decoded.get(i), expected.get(i), seed);
            }
        }
    }

    @Test
    void aTruncatedResponseOnlyAsksForMore() throws Exception {
        for (int round = 0; round < ROUNDS / 4; round++) {
            long seed = SEED + round;
            Random random = new Random(seed);
            byte[] wire = new RandomIcap(random).response().wire();
            for (int cut : cuts(wire.length, random)) {
                IcapResponseDecoder decoder = new IcapResponseDecoder(BODY_LIMIT);
                decoder.feed(wire, 0, cut);

                assertThat(decoder.next())
                        .as("seed %d, first %d of %d bytes", seed, cut, wire.length)
                        .isNull();
            }
        }
    }

    @Test
    void aTruncatedRequestOnlyAsksForMore() throws Exception {
        for (int round = 0; round < ROUNDS / 4; round++) {
            long seed = SEED + round;
            Random random = new Random(seed);
            RandomIcap.WireRequest request = new RandomIcap(random).request();
            byte[] wire = request.wire();
            for (int cut : cuts(wire.length, random)) {
                IcapRequestDecoder decoder = new IcapRequestDecoder(BODY_LIMIT);
                decoder.feed(wire, 0, cut);
                List<IcapRequestDecoder.Part> parts = drain(decoder);

                // Only a preview end may come before the last byte; the request itself never.
                assertThat(parts)
                        .as("seed %d, first %d of %d bytes", seed, cut, wire.length)
                        .allMatch(p -> p.kind() == IcapRequestDecoder.Kind.PREVIEW_END)
                        .hasSizeLessThan(request.parts().size());
            }
        }
    }

    @Test
    void mutatedResponsesFailOnlyWithTheCodecsOwnError() {
        for (int round = 0; round < ROUNDS * 5; round++) {
            long seed = SEED + round;
            Random random = new Random(seed);
            RandomIcap gen = new RandomIcap(random);
            byte[] wire = mutate(concat(gen.response().wire(), gen.response().wire()), random);
            int limit = random.nextBoolean() ? BODY_LIMIT : random.nextInt(64);

            survives(wire, seed, () -> {
                IcapResponseDecoder decoder = new IcapResponseDecoder(limit);
                feedRandomly(wire, random, decoder::feed, () -> {
                    while (decoder.next() != null) {
                        // Keep whatever decodes; only the way it ends matters here.
                    }
                });
            });
        }
    }

    @Test
    void mutatedRequestsFailOnlyWithTheCodecsOwnError() {
        for (int round = 0; round < ROUNDS * 5; round++) {
            long seed = SEED + round;
            Random random = new Random(seed);
            RandomIcap gen = new RandomIcap(random);
            byte[] wire = mutate(concat(gen.request().wire(), gen.request().wire()), random);
            int limit = random.nextBoolean() ? BODY_LIMIT : random.nextInt(64);

            survives(wire, seed, () -> {
                IcapRequestDecoder decoder = new IcapRequestDecoder(limit);
                feedRandomly(wire, random, decoder::feed, () -> {
                    while (decoder.next() != null) {
                        // As above.
                    }
                });
            });
        }
    }

    @Test
    void randomBytesFailOnlyWithTheCodecsOwnError() {
        for (int round = 0; round < ROUNDS * 2; round++) {
            long seed = SEED + round;
            Random random = new Random(seed);
            byte[] wire = random.nextBoolean() ? new RandomIcap(random).bytes(random.nextInt(4096)) : soup(random);

            survives(wire, seed, () -> {
                IcapResponseDecoder responses = new IcapResponseDecoder(1024);
                feedRandomly(wire, random, responses::feed, () -> {
                    while (responses.next() != null) {
                        // As above.
                    }
                });
            });
            survives(wire, seed, () -> {
                IcapRequestDecoder requests = new IcapRequestDecoder(1024);
                feedRandomly(wire, random, requests::feed, () -> {
                    while (requests.next() != null) {
                        // As above.
                    }
                });
            });
        }
    }

    private interface Decoding {
        void run() throws IcapProtocolException;
    }

    private interface Feeder {
        void feed(byte[] bytes, int offset, int length);
    }

    private static void survives(byte[] wire, long seed, Decoding decoding) {
        try {
            decoding.run();
        } catch (IcapProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } catch (RuntimeException | Error e) {
            String hex = HexFormat.of().formatHex(wire);
            throw new AssertionError(
                    "seed " + seed + ": " + e + " on input " + hex.substring(0, Math.min(hex.length(), 1200)), e);
        }
    }

    private static void feedRandomly(byte[] wire, Random random, Feeder feeder, Decoding afterEachPiece)
            throws IcapProtocolException {
        int at = 0;
        while (at < wire.length) {
            int n = Math.min(wire.length - at, pieceSize(random));
            feeder.feed(wire, at, n);
            at += n;
            afterEachPiece.run();
        }
    }

    /** Mostly tiny pieces (byte-at-a-time edges), sometimes large ones. */
    private static int pieceSize(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1 + random.nextInt(8);
            case 2 -> 1 + random.nextInt(200);
            default -> 1 + random.nextInt(10_000);
        };
    }

    private static List<IcapResponse> decodeResponses(byte[] wire, Random random, long seed) throws Exception {
        IcapResponseDecoder decoder = new IcapResponseDecoder(BODY_LIMIT);
        List<IcapResponse> out = new ArrayList<>();
        try {
            feedRandomly(wire, random, decoder::feed, () -> {
                for (IcapResponse r = decoder.next(); r != null; r = decoder.next()) {
                    out.add(r);
                }
            });
        } catch (IcapProtocolException e) {
            fail("seed %d: valid input rejected: %s\n%s", seed, e, new String(wire, StandardCharsets.ISO_8859_1));
        }
        assertThat(decoder.hasBufferedBytes()).as("seed %d", seed).isFalse();
        return out;
    }

    private static List<IcapRequestDecoder.Part> decodeRequests(byte[] wire, Random random, long seed)
            throws Exception {
        IcapRequestDecoder decoder = new IcapRequestDecoder(BODY_LIMIT);
        List<IcapRequestDecoder.Part> out = new ArrayList<>();
        try {
            feedRandomly(wire, random, decoder::feed, () -> out.addAll(drain(decoder)));
        } catch (IcapProtocolException e) {
            fail("seed %d: valid input rejected: %s\n%s", seed, e, new String(wire, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static List<IcapRequestDecoder.Part> drain(IcapRequestDecoder decoder) throws IcapProtocolException {
        List<IcapRequestDecoder.Part> out = new ArrayList<>();
        for (IcapRequestDecoder.Part p = decoder.next(); p != null; p = decoder.next()) {
            out.add(p);
        }
        return out;
    }

    private static void assertSame(IcapResponse actual, IcapResponse expected, long seed) {
        String as = "seed " + seed;
        assertThat(actual.status()).as(as).isEqualTo(expected.status());
        assertThat(actual.reason()).as(as).isEqualTo(expected.reason());
        assertThat(actual.headers().without("Encapsulated")).as(as).isEqualTo(expected.headers());
        assertThat(actual.httpRequest()).as(as).isEqualTo(expected.httpRequest());
        assertThat(actual.httpResponse()).as(as).isEqualTo(expected.httpResponse());
        assertThat(actual.body()).as(as).isEqualTo(expected.body());
        assertThat(actual.bodyTruncated()).as(as).isFalse();
    }

    private static void assertSame(IcapRequestDecoder.Part actual, IcapRequestDecoder.Part expected, long seed) {
        String as = "seed " + seed;
        assertThat(actual.kind()).as(as).isEqualTo(expected.kind());
        assertThat(actual.ieof()).as(as).isEqualTo(expected.ieof());
        assertThat(actual.body()).as(as).isEqualTo(expected.body());
        IcapRequest a = actual.request();
        IcapRequest e = expected.request();
        assertThat(a.method()).as(as).isEqualTo(e.method());
        assertThat(a.service()).as(as).isEqualTo(e.service());
        assertThat(a.headers().without("Encapsulated")).as(as).isEqualTo(e.headers());
        assertThat(a.httpRequest()).as(as).isEqualTo(e.httpRequest());
        assertThat(a.hasBody()).as(as).isEqualTo(e.hasBody());
    }

    /** Every cut for short messages, a random sample for long ones; never the whole message. */
    private static List<Integer> cuts(int length, Random random) {
        List<Integer> cuts = new ArrayList<>();
        if (length <= 400) {
            for (int i = 0; i < length; i++) {
                cuts.add(i);
            }
        } else {
            for (int i = 0; i < 200; i++) {
                cuts.add(random.nextInt(length));
            }
            cuts.add(length - 1);
        }
        return cuts;
    }

    /** One to six edits: a byte changed, bytes inserted, deleted or repeated, a fragment spliced in. */
    static byte[] mutate(byte[] wire, Random random) {
        byte[] out = wire;
        for (int edits = 1 + random.nextInt(6); edits > 0; edits--) {
            int at = out.length == 0 ? 0 : random.nextInt(out.length);
            out = switch (random.nextInt(5)) {
                case 0 -> {
                    byte[] copy = out.clone();
                    if (copy.length > 0) {
                        copy[at] = (byte) random.nextInt(256);
                    }
                    yield copy;
                }
                case 1 -> splice(out, at, 0, new RandomIcap(random).bytes(1 + random.nextInt(4)));
                case 2 -> splice(out, at, Math.min(out.length - at, 1 + random.nextInt(40)), new byte[0]);
                case 3 -> {
                    int n = Math.min(out.length - at, 1 + random.nextInt(60));
                    byte[] repeated = new byte[n];
                    System.arraycopy(out, at, repeated, 0, n);
                    yield splice(out, at, 0, repeated);
                }
                default ->
                    splice(
                            out,
                            at,
                            random.nextInt(3),
                            SPLICES[random.nextInt(SPLICES.length)].getBytes(StandardCharsets.ISO_8859_1));
            };
        }
        return out;
    }

    /** ICAP-looking fragments in random order: gets further into the parsers than uniform noise. */
    private static byte[] soup(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = random.nextInt(60); i > 0; i--) {
            out.writeBytes(SPLICES[random.nextInt(SPLICES.length)].getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        int cut = Math.min(remove, bytes.length - at);
        byte[] out = new byte[bytes.length - cut + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + cut, out, at + insert.length, bytes.length - at - cut);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
