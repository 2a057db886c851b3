package dev.plumber.icap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parses a header block (start line, fields, blank line) into a start line and fields, unfolding continuations. */
final class HeaderBlock {
    final String startLine;
    final IcapHeaders headers;

    private HeaderBlock(String startLine, IcapHeaders headers) {
        this.startLine = startLine;
        this.headers = headers;
    }

    static HeaderBlock parse(byte[] block) throws IcapProtocolException {
        List<String> lines = lines(new String(block, StandardCharsets.ISO_8859_1));
        if (lines.isEmpty() || lines.getFirst().isEmpty()) {
            throw new IcapProtocolException("empty start line");
        }
        for (String line : lines) {
            // A bare CR or LF would end the line for some peers and not for others (RFC 7230 §3.5): refuse it.
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IcapProtocolException("bare CR or LF in header line '" + line.strip() + "'");
            }
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>(lines.size() - 1);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                throw new IcapProtocolException("blank line inside a header block");
            }
            char c = line.charAt(0);
            if (c == ' ' || c == '\t') {
                // obs-fold (RFC 7230 §3.2.4): a continuation of the previous field, joined with one space.
                if (fields.isEmpty()) {
                    throw new IcapProtocolException("folded line before any header: '" + line + "'");
                }
                Map.Entry<String, String> last = fields.getLast();
                fields.set(fields.size() - 1, Map.entry(last.getKey(), last.getValue() + ' ' + line.strip()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IcapProtocolException("header line without a name: '" + line + "'");
            }
            String name = line.substring(0, colon);
            if (!IcapHeaders.isToken(name)) {
                throw new IcapProtocolException("bad header name '" + name + "'");
            }
            fields.add(Map.entry(name, line.substring(colon + 1).strip()));
        }
        return new HeaderBlock(lines.getFirst(), IcapHeaders.parsed(fields));
    }

    /** The lines between CRLFs, without the blank ones that end the block. */
    private static List<String> lines(String block) {
        List<String> lines = new ArrayList<>(16);
        int from = 0;
        for (int crlf; (crlf = block.indexOf("\r\n", from)) >= 0; from = crlf + 2) {
            lines.add(block.substring(from, crlf));
        }
        lines.add(block.substring(from));
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isEmpty()) {
            end--;
        }
        return lines.subList(0, end);
    }
}
