package dev.plumber.icap;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Bytes received but not yet decoded; the decoders take lines and blocks from its front. */
final class ByteQueue {
    private byte[] buf = new byte[4096];
    private int start;
    private int end;

    void append(byte[] bytes, int offset, int length) {
        if (end + length > buf.length) {
            int live = end - start;
            byte[] target = live + length > buf.length ? new byte[Math.max(buf.length * 2, live + length)] : buf;
            System.arraycopy(buf, start, target, 0, live);
            buf = target;
            start = 0;
            end = live;
        }
        System.arraycopy(bytes, offset, buf, end, length);
        end += length;
    }

    int size() {
        return end - start;
    }

    /** The offset (from the front) of the first CRLFCRLF, or -1. */
    int indexOfBlankLine() {
        for (int i = start; i + 3 < end; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i - start;
            }
        }
        return -1;
    }

    /** Takes one line without its CRLF, or returns null when no complete line is queued. */
    String takeLine() {
        for (int i = start; i + 1 < end; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                String line = new String(buf, start, i - start, StandardCharsets.ISO_8859_1);
                start = i + 2;
                return line;
            }
        }
        return null;
    }

    byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        start += n;
        return out;
    }

    /** Hands the first {@code n} bytes to {@code sink} where they lie, without a copy, and drops them. */
    void pass(int n, ChunkReader.Sink sink) throws IcapProtocolException {
        int from = start;
        start += n;
        sink.accept(buf, from, n);
    }

    /** The byte {@code i} places from the front. */
    byte peek(int i) {
        return buf[start + i];
    }

    void skip(int n) {
        start += n;
    }

    /** Takes the remaining bytes (what arrived after a complete message). */
    byte[] drain() {
        return take(size());
    }
}
