package dev.plumber.icap;

import java.util.function.Consumer;

/** Reads an ICAP chunked body (RFC 3507 §4.5, RFC 7230 §4.1) from a queue, a piece at a time. */
final class ChunkReader {
    private static final int MAX_LINE = 8192;

    /** -1: a size line is due; 0: the CRLF after chunk data is due; n: data bytes still due. */
    private long remaining = -1;

    private boolean inTrailer;
    private boolean ieof;

    /**
     * Moves every complete piece from the queue to the sink.
     *
     * @return true when the terminating zero chunk (and its trailer) has been read
     */
    boolean read(ByteQueue in, Consumer<byte[]> sink) throws IcapProtocolException {
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
                sink.accept(in.take(n));
                remaining -= n;
                continue;
            }
            if (in.size() < 2) {
                return false;
            }
            byte[] crlf = in.take(2);
            if (crlf[0] != '\r' || crlf[1] != '\n') {
                throw new IcapProtocolException("chunk data not followed by CRLF");
            }
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
