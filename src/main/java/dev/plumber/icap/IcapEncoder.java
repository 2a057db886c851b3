package dev.plumber.icap;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/** Turns ICAP values into wire bytes (RFC 3507); chunk framing for bodies streamed by the caller. */
public final class IcapEncoder {
    public static final byte[] CRLF = latin1("\r\n");

    /** Ends a body, or a preview that did not hold the whole body. */
    public static final byte[] LAST_CHUNK = latin1("0\r\n\r\n");

    /** Ends a preview that held the whole body (RFC 3507 §4.5): the server must not answer 100. */
    public static final byte[] IEOF_CHUNK = latin1("0; ieof\r\n\r\n");

    /** Room for a usual head, so that building one does not grow its buffer again and again. */
    private static final int HEAD_CAPACITY = 512;

    private IcapEncoder() {}

    /**
     * The ICAP head and, for REQMOD, the encapsulated HTTP request head; chunks of the body follow. Both heads are
     * built as text and turned into bytes once, a character a byte: the HTTP head's length in characters is its
     * {@code Encapsulated} offset.
     */
    public static byte[] encodeHead(IcapRequest request) {
        StringBuilder http = new StringBuilder(HEAD_CAPACITY);
        String encapsulated;
        if (request.httpRequest() == null) {
            encapsulated = "null-body=0";
        } else {
            appendHttpHead(http, request.httpRequest());
            encapsulated = (request.hasBody() ? "req-hdr=0, req-body=" : "req-hdr=0, null-body=") + http.length();
        }
        StringBuilder head = new StringBuilder(HEAD_CAPACITY + http.length());
        head.append(request.method()).append(' ').append(request.service()).append(" ICAP/1.0\r\n");
        if (!request.headers().contains("Host")) {
            head.append("Host: ").append(hostHeader(request.service())).append("\r\n");
        }
        appendFields(head, request.headers().without("Encapsulated"));
        head.append("Encapsulated: ").append(encapsulated).append("\r\n\r\n").append(http);
        return latin1(head);
    }

    public static byte[] encodeHttpHead(HttpRequestHead head) {
        StringBuilder s = new StringBuilder(HEAD_CAPACITY);
        appendHttpHead(s, head);
        return latin1(s);
    }

    private static void appendHttpHead(StringBuilder s, HttpRequestHead head) {
        s.append(head.method())
                .append(' ')
                .append(head.target())
                .append(' ')
                .append(head.version())
                .append("\r\n");
        appendFields(s, head.headers());
        s.append("\r\n");
    }

    public static byte[] encodeHttpHead(HttpResponseHead head) {
        StringBuilder s = new StringBuilder();
        s.append(head.version()).append(' ').append(head.status());
        if (!head.reason().isEmpty()) {
            s.append(' ').append(head.reason());
        }
        s.append("\r\n");
        appendFields(s, head.headers());
        return latin1(s.append("\r\n"));
    }

    /** Room {@link #frameChunk} needs before a chunk's data: the longest size line (eight hex digits and CRLF). */
    public static final int CHUNK_HEAD_ROOM = 10;

    /** One chunk: hex size, CRLF, the data, CRLF; never empty, since an empty chunk is the last chunk. */
    public static byte[] chunk(byte[] data, int offset, int length) {
        int copied = Math.max(0, length); // frameChunk refuses an empty chunk
        byte[] frame = new byte[CHUNK_HEAD_ROOM + copied + 2];
        System.arraycopy(data, offset, frame, CHUNK_HEAD_ROOM, copied);
        int start = frameChunk(frame, CHUNK_HEAD_ROOM, length);
        return Arrays.copyOfRange(frame, start, CHUNK_HEAD_ROOM + length + 2);
    }

    /**
     * Frames {@code length} bytes of data that sit at {@code frame[dataOffset]} as one chunk, in place: the size line
     * goes just before the data and CRLF just after, so a streamed body is written a chunk per call with no copy.
     * {@code frame} needs {@link #CHUNK_HEAD_ROOM} bytes before the data and two after it.
     *
     * @return where the chunk starts; it ends at {@code dataOffset + length + 2}
     */
    public static int frameChunk(byte[] frame, int dataOffset, int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("a chunk needs at least one byte, got " + length);
        }
        int at = dataOffset;
        frame[--at] = '\n';
        frame[--at] = '\r';
        for (int rest = length; rest != 0; rest >>>= 4) {
            frame[--at] = (byte) Character.forDigit(rest & 0xf, 16);
        }
        frame[dataOffset + length] = '\r';
        frame[dataOffset + length + 1] = '\n';
        return at;
    }

    /** A whole response, its body chunked; for servers (the mock). */
    public static byte[] encodeResponse(IcapResponse response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] http;
        String hdrName;
        if (response.httpResponse() != null) {
            http = encodeHttpHead(response.httpResponse());
            hdrName = "res";
        } else if (response.httpRequest() != null) {
            http = encodeHttpHead(response.httpRequest());
            hdrName = "req";
        } else {
            http = new byte[0];
            hdrName = null;
        }
        boolean hasBody = response.body().length > 0 && hdrName != null;
        StringBuilder head = new StringBuilder("ICAP/1.0 ")
                .append(response.status())
                .append(' ')
                .append(response.reason())
                .append("\r\n");
        appendFields(head, response.headers().without("Encapsulated"));
        if (response.status() != 100) {
            String encapsulated = hdrName == null
                    ? "null-body=0"
                    : hdrName + "-hdr=0, " + (hasBody ? hdrName + "-body=" : "null-body=") + http.length;
            head.append("Encapsulated: ").append(encapsulated).append("\r\n");
        }
        out.writeBytes(latin1(head.append("\r\n")));
        out.writeBytes(http);
        if (hasBody) {
            out.writeBytes(chunk(response.body(), 0, response.body().length));
            out.writeBytes(LAST_CHUNK);
        }
        return out.toByteArray();
    }

    static String hostHeader(URI service) {
        return service.getPort() < 0 ? service.getHost() : service.getHost() + ":" + service.getPort();
    }

    private static void appendFields(StringBuilder s, IcapHeaders headers) {
        for (Map.Entry<String, String> f : headers.fields()) {
            s.append(f.getKey()).append(": ").append(f.getValue()).append("\r\n");
        }
    }

    /**
     * Header text a character a byte, ISO-8859-1 on the wire (RFC 7230 §3.2.4); a character beyond it becomes {@code
     * ?}, each half of a surrogate pair too, so that the bytes are as many as the characters. Callers encode anything
     * wider themselves.
     */
    private static byte[] latin1(CharSequence text) {
        String s = text.toString();
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length != s.length()) { // the JDK made one ? of a surrogate pair
            bytes = new byte[s.length()];
            for (int i = 0; i < bytes.length; i++) {
                char c = s.charAt(i);
                bytes[i] = (byte) (c <= 0xff ? c : '?');
            }
        }
        return bytes;
    }
}
