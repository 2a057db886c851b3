package dev.plumber.icap;

import java.io.ByteArrayOutputStream;

/**
 * Decodes ICAP responses from bytes fed in any split: {@link #next()} returns null until a whole response is in.
 *
 * <p>After an {@link IcapProtocolException} the decoder and its connection are unusable.
 */
public final class IcapResponseDecoder {
    private static final int MAX_HEAD = 64 * 1024;
    /**
     * The most the encapsulated HTTP header sections ({@code req-hdr}, {@code res-hdr}) may take together: they are
     * buffered whole before parsing, and a server announcing gigabytes of them would otherwise fill the heap.
     */
    static final int MAX_ENCAPSULATED_HEADS = 64 * 1024;

    private enum State {
        HEAD,
        SECTIONS,
        BODY
    }

    private final int bodyLimit;
    private final ByteQueue in = new ByteQueue();
    private State state = State.HEAD;
    private int status;
    private String reason;
    private IcapHeaders headers;
    private Encapsulated encapsulated;
    private EncapsulatedHeads heads;
    private ChunkReader chunks;
    private ByteArrayOutputStream body;
    private boolean truncated;

    /** @param bodyLimit how many bytes of an encapsulated body to keep; the rest is read and dropped */
    public IcapResponseDecoder(int bodyLimit) {
        this.bodyLimit = bodyLimit;
    }

    public void feed(byte[] bytes, int offset, int length) {
        in.append(bytes, offset, length);
    }

    /** True when bytes beyond the responses returned so far are queued. */
    public boolean hasBufferedBytes() {
        return in.size() > 0;
    }

    /** The next whole response (a 100 Continue counts as one), or null when more bytes are needed. */
    public IcapResponse next() throws IcapProtocolException {
        if (state == State.HEAD && !readHead()) {
            return null;
        }
        if (state == State.HEAD) {
            return finish();
        }
        if (state == State.SECTIONS) {
            int length = encapsulated.headerBytes();
            if (in.size() < length) {
                return null;
            }
            heads = EncapsulatedHeads.parse(encapsulated, in.take(length));
            if (encapsulated.body().name().equals("null-body")) {
                return finish();
            }
            state = State.BODY;
            chunks = new ChunkReader();
            body = new ByteArrayOutputStream();
        }
        boolean done = chunks.read(in, (bytes, offset, length) -> {
            int room = bodyLimit - body.size();
            if (length > room) {
                truncated = true;
            }
            body.write(bytes, offset, Math.max(0, Math.min(room, length)));
        });
        return done ? finish() : null;
    }

    /** Reads the ICAP head; leaves state HEAD when the response has no encapsulated part. */
    private boolean readHead() throws IcapProtocolException {
        int blank = in.indexOfBlankLine();
        if (blank < 0) {
            if (in.size() > MAX_HEAD) {
                throw new IcapProtocolException("ICAP head longer than " + MAX_HEAD + " bytes");
            }
            return false;
        }
        HeaderBlock head = HeaderBlock.parse(in.take(blank + 4));
        String[] start = HeaderBlock.startLineParts(head.startLine);
        if (start.length < 2 || !start[0].startsWith("ICAP/")) {
            throw new IcapProtocolException("not an ICAP status line: '" + head.startLine + "'");
        }
        status = EncapsulatedHeads.status(start[1], head.startLine);
        reason = start.length == 3 ? start[2] : "";
        headers = head.headers;
        String value = headers.first("Encapsulated");
        if (status == 100 || status == 204 || value == null) {
            return true;
        }
        encapsulated = Encapsulated.parse(value);
        if (encapsulated.body() == null) {
            throw new IcapProtocolException("Encapsulated has no body section: '" + value + "'");
        }
        if (encapsulated.headerBytes() > MAX_ENCAPSULATED_HEADS) {
            throw new IcapProtocolException("Encapsulated announces " + encapsulated.headerBytes()
                    + " bytes of HTTP headers, more than the " + MAX_ENCAPSULATED_HEADS + " allowed: '" + value + "'");
        }
        state = State.SECTIONS;
        return true;
    }

    private IcapResponse finish() {
        IcapResponse response = new IcapResponse(
                status,
                reason,
                headers,
                heads == null ? null : heads.request,
                heads == null ? null : heads.response,
                body == null ? new byte[0] : body.toByteArray(),
                truncated);
        state = State.HEAD;
        encapsulated = null;
        heads = null;
        chunks = null;
        body = null;
        truncated = false;
        return response;
    }
}
