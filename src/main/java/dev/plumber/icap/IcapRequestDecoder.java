package dev.plumber.icap;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Decodes ICAP requests for a server, in any split of bytes; a preview is reported so that the server can answer
 * {@code 100 Continue} before the rest of the body arrives.
 */
public final class IcapRequestDecoder {
    private static final int MAX_HEAD = 64 * 1024;

    /** What has been decoded: the end of a preview that needs an answer, or a whole request. */
    public enum Kind {
        PREVIEW_END,
        COMPLETE
    }

    /**
     * @param body the de-chunked body so far (everything when COMPLETE)
     * @param ieof when COMPLETE: the body ended inside the preview ({@code 0; ieof})
     */
    public record Part(Kind kind, IcapRequest request, byte[] body, boolean ieof) {}

    private enum State {
        HEAD,
        SECTIONS,
        BODY
    }

    private final int bodyLimit;
    private final ByteQueue in = new ByteQueue();
    private State state = State.HEAD;
    private String method;
    private URI service;
    private IcapHeaders headers;
    private Encapsulated encapsulated;
    private IcapRequest request;
    private ChunkReader chunks;
    private ByteArrayOutputStream body;
    private boolean inPreview;

    /** @param bodyLimit the largest body this server accepts; a longer one is a protocol error */
    public IcapRequestDecoder(int bodyLimit) {
        this.bodyLimit = bodyLimit;
    }

    public void feed(byte[] bytes, int offset, int length) {
        in.append(bytes, offset, length);
    }

    /** The next part, or null when more bytes are needed. */
    public Part next() throws IcapProtocolException {
        if (state == State.HEAD) {
            if (!readHead()) {
                return null;
            }
            if (encapsulated == null) {
                return complete(false);
            }
        }
        if (state == State.SECTIONS) {
            int length = encapsulated.headerBytes();
            if (in.size() < length) {
                return null;
            }
            EncapsulatedHeads heads = EncapsulatedHeads.parse(encapsulated, in.take(length));
            boolean hasBody = encapsulated.body().name().equals("req-body");
            request = new IcapRequest(method, service, headers, heads.request, hasBody);
            if (!hasBody) {
                return complete(false);
            }
            state = State.BODY;
            chunks = new ChunkReader();
            body = new ByteArrayOutputStream();
            inPreview = headers.contains("Preview");
        }
        boolean zeroChunk = chunks.read(in, (bytes, offset, length) -> {
            if (body.size() + length > bodyLimit) {
                throw new IcapProtocolException("body longer than " + bodyLimit + " bytes");
            }
            body.write(bytes, offset, length);
        });
        if (!zeroChunk) {
            return null;
        }
        if (inPreview && !chunks.ieof()) {
            inPreview = false;
            chunks.reset();
            return new Part(Kind.PREVIEW_END, request, body.toByteArray(), false);
        }
        return complete(chunks.ieof());
    }

    private boolean readHead() throws IcapProtocolException {
        int blank = in.indexOfBlankLine();
        if (blank < 0) {
            if (in.size() > MAX_HEAD) {
                throw new IcapProtocolException("ICAP head longer than " + MAX_HEAD + " bytes");
            }
            return false;
        }
        HeaderBlock head = HeaderBlock.parse(in.take(blank + 4));
        String[] start = head.startLine.split(" ");
        if (start.length != 3 || !start[2].startsWith("ICAP/")) {
            throw new IcapProtocolException("not an ICAP request line: '" + head.startLine + "'");
        }
        method = start[0];
        try {
            service = new URI(start[1]);
        } catch (URISyntaxException e) {
            throw new IcapProtocolException("bad ICAP URI '" + start[1] + "'");
        }
        headers = head.headers;
        String value = headers.first("Encapsulated");
        if (value == null) {
            encapsulated = null;
            request = new IcapRequest(method, service, headers, null, false);
            return true;
        }
        encapsulated = Encapsulated.parse(value);
        if (encapsulated.body() == null) {
            throw new IcapProtocolException("Encapsulated has no body section: '" + value + "'");
        }
        if (encapsulated.headerBytes() > MAX_HEAD) {
            throw new IcapProtocolException("encapsulated headers longer than " + MAX_HEAD + " bytes");
        }
        if (encapsulated.sections().size() == 1) {
            // Only a body section (OPTIONS: null-body=0): nothing encapsulated to read.
            request = new IcapRequest(method, service, headers, null, false);
            encapsulated = null;
            return true;
        }
        state = State.SECTIONS;
        return true;
    }

    private Part complete(boolean ieof) {
        Part part = new Part(Kind.COMPLETE, request, body == null ? new byte[0] : body.toByteArray(), ieof);
        state = State.HEAD;
        encapsulated = null;
        request = null;
        chunks = null;
        body = null;
        inPreview = false;
        return part;
    }
}
