package dev.plumber.icap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses a header block (start line, fields, blank line) into a start line and fields, unfolding continuations. It
 * reads the bytes where they lie: a field costs its name and value strings, not a line's string and its pieces.
 */
final class HeaderBlock {
    final String startLine;
    final IcapHeaders headers;

    private HeaderBlock(String startLine, IcapHeaders headers) {
        this.startLine = startLine;
        this.headers = headers;
    }

    static HeaderBlock parse(byte[] block) throws IcapProtocolException {
        return parse(block, 0, block.length);
    }

    /** The block in {@code b[from, to)}; blank lines at its end are the block's end. */
    static HeaderBlock parse(byte[] b, int from, int to) throws IcapProtocolException {
        int end = to;
        while (end >= from + 2 && b[end - 2] == '\r' && b[end - 1] == '\n') {
            end -= 2;
        }
        int lineEnd = lineEnd(b, from, end);
        if (lineEnd == from) {
            throw new IcapProtocolException("empty start line");
        }
        String startLine = text(b, from, lineEnd);
        List<Map.Entry<String, String>> fields = new ArrayList<>(8);
        while (lineEnd < end) {
            int at = lineEnd + 2;
            lineEnd = lineEnd(b, at, end);
            if (lineEnd == at) {
                throw new IcapProtocolException("blank line inside a header block");
            }
            byte c = b[at];
            if (c == ' ' || c == '\t') {
                // obs-fold (RFC 7230 §3.2.4): a continuation of the previous field, joined with one space.
                if (fields.isEmpty()) {
                    throw new IcapProtocolException("folded line before any header: '" + text(b, at, lineEnd) + "'");
                }
                Map.Entry<String, String> last = fields.getLast();
                fields.set(
                        fields.size() - 1,
                        Map.entry(
                                last.getKey(),
                                last.getValue() + ' ' + text(b, at, lineEnd).strip()));
                continue;
            }
            int colon = indexOf(b, at, lineEnd, (byte) ':');
            if (colon <= at) {
                throw new IcapProtocolException("header line without a name: '" + text(b, at, lineEnd) + "'");
            }
            if (!IcapHeaders.isToken(b, at, colon)) {
                throw new IcapProtocolException("bad header name '" + text(b, at, colon) + "'");
            }
            int valueFrom = colon + 1;
            int valueTo = lineEnd;
            while (valueFrom < valueTo && isSpace(b[valueFrom])) {
                valueFrom++;
            }
            while (valueTo > valueFrom && isSpace(b[valueTo - 1])) {
                valueTo--;
            }
            fields.add(Map.entry(text(b, at, colon), text(b, valueFrom, valueTo)));
        }
        return new HeaderBlock(startLine, IcapHeaders.parsed(fields));
    }

    /** The start line cut at its first two spaces, as {@code line.split(" ", 3)} would cut it. */
    static String[] startLineParts(String line) {
        int first = line.indexOf(' ');
        if (first < 0) {
            return new String[] {line};
        }
        int second = line.indexOf(' ', first + 1);
        if (second < 0) {
            return new String[] {line.substring(0, first), line.substring(first + 1)};
        }
        return new String[] {line.substring(0, first), line.substring(first + 1, second), line.substring(second + 1)};
    }

    /**
     * Where the line starting at {@code from} ends: at the next CRLF, or at {@code end}. A bare CR or LF would end the
     * line for some peers and not for others (RFC 7230 §3.5): it is refused.
     */
    private static int lineEnd(byte[] b, int from, int end) throws IcapProtocolException {
        for (int i = from; i < end; i++) {
            byte c = b[i];
            if (c == '\r' && i + 1 < end && b[i + 1] == '\n') {
                return i;
            }
            if (c == '\r' || c == '\n') {
                int to = i;
                while (to < end && !(b[to] == '\r' && to + 1 < end && b[to + 1] == '\n')) {
                    to++;
                }
                throw new IcapProtocolException(
                        "bare CR or LF in header line '" + text(b, from, to).strip() + "'");
            }
        }
        return end;
    }

    private static int indexOf(byte[] b, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** Whitespace as {@link String#strip()} sees it among ISO-8859-1 characters. */
    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || (c >= 0x0a && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
    }

    private static String text(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
