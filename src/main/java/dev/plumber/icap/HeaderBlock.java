package dev.plumber.icap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Parses a header block (start line, fields, blank line) into a start line and fields, unfolding continuations. */
final class HeaderBlock {
    /** Compiled once: {@code String.split} compiles a separator of two characters anew on every call. */
    private static final Pattern CRLF = Pattern.compile("\r\n", Pattern.LITERAL);

    final String startLine;
    final IcapHeaders headers;

    private HeaderBlock(String startLine, IcapHeaders headers) {
        this.startLine = startLine;
        this.headers = headers;
    }

    static HeaderBlock parse(byte[] block) throws IcapProtocolException {
        String[] lines = CRLF.split(new String(block, StandardCharsets.ISO_8859_1), -1);
        int end = lines.length;
        while (end > 0 && lines[end - 1].isEmpty()) {
            end--;
        }
        if (end == 0 || lines[0].isEmpty()) {
            throw new IcapProtocolException("empty start line");
        }
        for (int i = 0; i < end; i++) {
            // A bare CR or LF would end the line for some peers and not for others (RFC 7230 §3.5): refuse it.
            if (lines[i].indexOf('\r') >= 0 || lines[i].indexOf('\n') >= 0) {
                throw new IcapProtocolException("bare CR or LF in header line '" + lines[i].strip() + "'");
            }
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>(end - 1);
        for (int i = 1; i < end; i++) {
            String line = lines[i];
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
        return new HeaderBlock(lines[0], IcapHeaders.parsed(fields));
    }
}
