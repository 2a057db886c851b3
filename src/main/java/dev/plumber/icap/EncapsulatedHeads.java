package dev.plumber.icap;

import java.util.List;

/** Splits the encapsulated header sections by their offsets and parses each one. */
final class EncapsulatedHeads {
    HttpRequestHead request;
    HttpResponseHead response;

    static EncapsulatedHeads parse(Encapsulated encapsulated, byte[] sections) throws IcapProtocolException {
        EncapsulatedHeads heads = new EncapsulatedHeads();
        List<Encapsulated.Section> list = encapsulated.sections();
        for (int i = 0; i < list.size(); i++) {
            Encapsulated.Section s = list.get(i);
            if (s.isBody()) {
                break;
            }
            int end = list.get(i + 1).offset();
            if (end - s.offset() < 4 || !endsWithBlankLine(sections, end)) {
                throw new IcapProtocolException(s.name() + " section does not end at its Encapsulated offset");
            }
            HeaderBlock parsed = HeaderBlock.parse(sections, s.offset(), end);
            String[] start = HeaderBlock.startLineParts(parsed.startLine);
            switch (s.name()) {
                case "req-hdr" -> {
                    if (start.length != 3
                            || start[0].isEmpty()
                            || start[1].isEmpty()
                            || !start[2].startsWith("HTTP/")) {
                        throw new IcapProtocolException("bad encapsulated request line '" + parsed.startLine + "'");
                    }
                    heads.request = new HttpRequestHead(start[0], start[1], start[2], parsed.headers);
                }
                case "res-hdr" -> {
                    if (start.length < 2 || !start[0].startsWith("HTTP/")) {
                        throw new IcapProtocolException("bad encapsulated status line '" + parsed.startLine + "'");
                    }
                    heads.response = new HttpResponseHead(
                            start[0],
                            status(start[1], parsed.startLine),
                            start.length == 3 ? start[2] : "",
                            parsed.headers);
                }
                default -> throw new IcapProtocolException("unexpected section " + s.name());
            }
        }
        return heads;
    }

    static int status(String code, String line) throws IcapProtocolException {
        if (code.length() != 3) {
            throw new IcapProtocolException("bad status code in '" + line + "'");
        }
        int status = 0;
        for (int i = 0; i < 3; i++) {
            char c = code.charAt(i);
            if (c < '0' || c > '9') {
                throw new IcapProtocolException("bad status code in '" + line + "'");
            }
            status = status * 10 + c - '0';
        }
        return status;
    }

    /** Whether the bytes before {@code n} are CRLF CRLF. */
    private static boolean endsWithBlankLine(byte[] b, int n) {
        return b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }
}
