package dev.plumber.icap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Parses a header block (start line, fields, blank line) into a start line and fields, unfolding continuations. */
final class HeaderBlock {
    final String startLine;
    final IcapHeaders headers;

    private HeaderBlock(String startLine, IcapHeaders headers) {
        this.startLine = startLine;
        this.headers = headers;
    }

    static HeaderBlock parse(byte[] block) throws IcapProtocolException {
        String text = new String(block, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n", -1)));
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        if (lines.isEmpty() || lines.getFirst().isEmpty()) {
            throw new IcapProtocolException("empty start line");
        }
        for (String line : lines) {
            // A bare CR or LF would end the line for some peers and not for others (RFC 7230 §3.5): refuse it.
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IcapProtocolException("bare CR or LF in header line '" + line.strip() + "'");
            }
        }
        List<String> names = new ArrayList<>();
        List<StringBuilder> values = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                throw new IcapProtocolException("blank line inside a header block");
            }
            char c = line.charAt(0);
            if (c == ' ' || c == '\t') {
                // obs-fold (RFC 7230 §3.2.4): a continuation of the previous field, joined with one space.
                if (values.isEmpty()) {
                    throw new IcapProtocolException("folded line before any header: '" + line + "'");
                }
                values.getLast().append(' ').append(line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IcapProtocolException("header line without a name: '" + line + "'");
            }
            String name = line.substring(0, colon);
            if (!name.chars().allMatch(IcapHeaders::isTokenChar)) {
                throw new IcapProtocolException("bad header name '" + name + "'");
            }
            names.add(name);
            values.add(new StringBuilder(line.substring(colon + 1).strip()));
        }
        IcapHeaders headers = IcapHeaders.empty();
        for (int i = 0; i < names.size(); i++) {
            headers = headers.with(names.get(i), values.get(i).toString());
        }
        return new HeaderBlock(lines.getFirst(), headers);
    }
}
