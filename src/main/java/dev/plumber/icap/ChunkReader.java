package dev.plumber.icap;

/** Reads an ICAP chunked body (RFC 3507 §4.5, RFC 7230 §4.1) from a queue, a piece at a time. */
final class ChunkReader {
    private static final int MAX_LINE = 8192;

    /** -1: a size line is due; 0: the CRLF after chunk data is due; n: data bytes still due. */
    private long remaining = -1;

    /** Receives a body's data a piece at a time; the bytes are only valid during the call. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] bytes, int offset, int length) throws IcapProtocolException;
    }

    private boolean inTrailer;
    private boolean ieof;

    /**
     * Moves every complete piece from the queue to the sink.
     *
     * @return true when the terminating zero chunk (and its trailer) has been read
     */
    boolean read(ByteQueue in, Sink sink) throws IcapProtocolException {
        while (true) {
            if (inTrailer) {
                String line = line(in);
                if (line == null) {
                    return false;
                }
                if (line.isEmpty()) {
                    return true;
                }
                continue;
            }
            if (remaining == -1) {
                String line = line(in);
                if (line == null) {
                    return false;
                }
                int semi = line.indexOf(';');
                String size = (semi < 0 ? line : line.substring(0, semi)).strip();
                String extensions = semi < 0 ? "" : line.substring(semi + 1);
                try {
                    remaining = Long.parseLong(size, 16);
                } catch (NumberFormatException e) {
                    throw new IcapProtocolException("bad chunk size line '" + line + "'");
                }
                if (remaining < 0) {
                    throw new IcapProtocolException("bad chunk size line '" + line + "'");
                }
                if (remaining == 0) {
                    ieof = extensions.strip().equalsIgnoreCase("ieof");
                    inTrailer = true;
                    remaining = -1;
                }
                continue;
            }
            if (remaining > 0) {
                if (in.size() == 0) {
                    return false;
                }
                int n = (int) Math.min(remaining, in.size());
                in.pass(n, sink);
                remaining -= n;
                continue;
            }
            if (in.size() < 2) {
                return false;
            }
            if (in.peek(0) != '\r' || in.peek(1) != '\n') {
                throw new IcapProtocolException("chunk data not followed by CRLF");
            }
            in.skip(2);
            remaining = -1;
        }
    }

    /** Whether the zero chunk carried {@code ieof}: the preview held the whole body. */
    boolean ieof() {
        return ieof;
    }

    /** Starts over for the chunks after a preview's zero chunk. */
    void reset() {
        remaining = -1;
        inTrailer = false;
        ieof = false;
    }

    private static String line(ByteQueue in) throws IcapProtocolException {
        String line = in.takeLine();
        if (line == null && in.size() > MAX_LINE) {
            throw new IcapProtocolException("chunk line longer than " + MAX_LINE + " bytes");
        }
        return line;
    }
}
