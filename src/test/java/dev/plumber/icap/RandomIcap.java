package dev.plumber.icap;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Random valid ICAP messages for property tests: values together with their wire bytes, the bodies cut into random
 * chunks with extensions and trailers, so that a decoder can be checked against what it should return.
 */
final class RandomIcap {
    private static final String TOKEN_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-!#$%&'*+.^_`|~";
    private static final String[] FIELD_NAMES = {
        "ISTag", "X-Violations-Found", "X-Response-Info", "X-Infection-Found", "Connection", "Methods", "Preview", "X-B"
    };

    private final Random random;

    RandomIcap(Random random) {
        this.random = random;
    }

    /** A response and its wire bytes. */
    record WireResponse(IcapResponse response, byte[] wire) {}

    /** A request, the parts a server decoder should report for it, and its wire bytes. */
    record WireRequest(IcapRequest request, List<IcapRequestDecoder.Part> parts, byte[] wire) {}

    WireResponse response() {
        int status = pick(100, 200, 200, 200, 204, 400, 404, 500, 503);
        IcapHeaders headers = headers(random.nextInt(5));
        HttpRequestHead httpRequest = null;
        HttpResponseHead httpResponse = null;
        byte[] body = new byte[0];
        if (status != 100 && status != 204) {
            switch (random.nextInt(3)) {
                case 0 -> httpRequest = httpRequest();
                case 1 ->
                    httpResponse = new HttpResponseHead(
                            "HTTP/1.1", pick(200, 403, 451), random.nextBoolean() ? "Forbidden" : "", headers(3));
                default -> {}
            }
            if (httpRequest != null || httpResponse != null) {
                body = bytes(random.nextInt(4) == 0 ? 0 : random.nextInt(3000));
            }
        }
        IcapResponse response = new IcapResponse(
                status, random.nextBoolean() ? "OK" : "", headers, httpRequest, httpResponse, body, false);
        byte[] encoded = IcapEncoder.encodeResponse(response);
        if (body.length == 0) {
            return new WireResponse(response, encoded);
        }
        // The encoder writes one chunk and the last chunk; real servers cut bodies anywhere.
        int oneChunk = IcapEncoder.chunk(body, 0, body.length).length + IcapEncoder.LAST_CHUNK.length;
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(encoded, 0, encoded.length - oneChunk);
        writeChunks(wire, body, 0, body.length);
        wire.writeBytes(lastChunk(""));
        return new WireResponse(response, wire.toByteArray());
    }

    WireRequest request() {
        URI service = URI.create("icap://127.0.0.1:1344/" + alphanumeric(1 + random.nextInt(8)));
        IcapHeaders headers =
                IcapHeaders.of("Host", "127.0.0.1:1344").with("X-Client-IP", "10.0.0." + random.nextInt(255));
        if (random.nextInt(4) == 0) {
            IcapRequest options = new IcapRequest("OPTIONS", service, headers, null, false);
            IcapRequestDecoder.Part part =
                    new IcapRequestDecoder.Part(IcapRequestDecoder.Kind.COMPLETE, options, new byte[0], false);
            return new WireRequest(options, List.of(part), IcapEncoder.encodeHead(options));
        }
        byte[] body = bytes(random.nextInt(5) == 0 ? 0 : random.nextInt(5000));
        Integer preview = random.nextBoolean() ? null : pick(0, 1, 4, 1024, 4096);
        if (preview != null && body.length > 0) {
            headers = headers.with("Preview", preview.toString());
        }
        IcapRequest request = IcapRequest.reqmod(service, headers, httpRequest(), body.length);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(IcapEncoder.encodeHead(request));
        List<IcapRequestDecoder.Part> parts = new ArrayList<>();
        if (body.length == 0) {
            parts.add(new IcapRequestDecoder.Part(IcapRequestDecoder.Kind.COMPLETE, request, body, false));
        } else if (preview == null) {
            writeChunks(wire, body, 0, body.length);
            wire.writeBytes(lastChunk(""));
            parts.add(new IcapRequestDecoder.Part(IcapRequestDecoder.Kind.COMPLETE, request, body, false));
        } else if (body.length <= preview) {
            writeChunks(wire, body, 0, body.length);
            wire.writeBytes(lastChunk("; ieof"));
            parts.add(new IcapRequestDecoder.Part(IcapRequestDecoder.Kind.COMPLETE, request, body, true));
        } else {
            writeChunks(wire, body, 0, preview);
            wire.writeBytes(lastChunk(""));
            writeChunks(wire, body, preview, body.length);
            wire.writeBytes(lastChunk(""));
            parts.add(new IcapRequestDecoder.Part(
                    IcapRequestDecoder.Kind.PREVIEW_END, request, Arrays.copyOf(body, preview), false));
            parts.add(new IcapRequestDecoder.Part(IcapRequestDecoder.Kind.COMPLETE, request, body, false));
        }
        return new WireRequest(request, parts, wire.toByteArray());
    }

    /** Chunks of random sizes, in random hex case, some with chunk extensions (RFC 7230 §4.1.1). */
    private void writeChunks(ByteArrayOutputStream wire, byte[] body, int from, int to) {
        int at = from;
        while (at < to) {
            int n = Math.min(to - at, 1 + random.nextInt(random.nextBoolean() ? 16 : 2048));
            String size = Integer.toHexString(n);
            wire.writeBytes(ascii((random.nextBoolean() ? size.toUpperCase() : size)
                    + (random.nextInt(5) == 0 ? ";name=value" : "")
                    + "\r\n"));
            wire.write(body, at, n);
            wire.writeBytes(IcapEncoder.CRLF);
            at += n;
        }
    }

    /** The zero chunk, sometimes followed by a trailer field. */
    private byte[] lastChunk(String extension) {
        String trailer = random.nextInt(5) == 0 ? "X-Trailer: t\r\n" : "";
        return ascii("0" + extension + "\r\n" + trailer + "\r\n");
    }

    HttpRequestHead httpRequest() {
        return HttpRequestHead.of(
                pick("POST", "PUT", "GET"), "http://vkteams/" + alphanumeric(random.nextInt(6)), headers(3));
    }

    IcapHeaders headers(int max) {
        IcapHeaders headers = IcapHeaders.empty();
        int n = random.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            String name = random.nextBoolean() ? FIELD_NAMES[random.nextInt(FIELD_NAMES.length)] : "X-" + token(6);
            headers = headers.with(name, value());
        }
        return headers;
    }

    /** A field value: visible Latin-1 with inner spaces, nothing the decoder would strip at either end. */
    private String value() {
        int n = random.nextInt(40);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c;
            if (i > 0 && i < n - 1 && random.nextInt(6) == 0) {
                c = ' ';
            } else if (random.nextInt(10) == 0) {
                c = 0xA1 + random.nextInt(0xFF - 0xA1 + 1);
            } else {
                c = 0x21 + random.nextInt(0x7E - 0x21 + 1);
            }
            s.append((char) c);
        }
        return s.toString();
    }

    String token(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(TOKEN_CHARS.charAt(random.nextInt(TOKEN_CHARS.length())));
        }
        return s.toString();
    }

    private String alphanumeric(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(TOKEN_CHARS.charAt(random.nextInt(62)));
        }
        return s.toString();
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
