package dev.plumber.icap;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Encapsulated} header (RFC 3507 §4.4.1): named sections with offsets from the start of the ICAP body.
 *
 * @param sections in order; at most one body section ({@code req-body}, {@code res-body}, {@code null-body}), last
 */
record Encapsulated(List<Section> sections) {

    record Section(String name, int offset) {
        boolean isBody() {
            return name.endsWith("-body");
        }
    }

    static Encapsulated parse(String value) throws IcapProtocolException {
        List<Section> sections = new ArrayList<>(3);
        int last = value.length();
        while (last > 0 && value.charAt(last - 1) == ',') {
            last--; // trailing commas end the list, as they do for String.split
        }
        for (int from = 0; from <= last; ) {
            int comma = value.indexOf(',', from);
            int to = comma < 0 || comma > last ? last : comma;
            String p = value.substring(from, to).strip();
            from = to + 1;
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IcapProtocolException("bad Encapsulated entry '" + p + "'");
            }
            String name = IcapHeaders.lower(p.substring(0, eq).strip());
            switch (name) {
                case "req-hdr", "res-hdr", "req-body", "res-body", "null-body", "opt-body" -> {}
                default -> throw new IcapProtocolException("unknown Encapsulated section '" + name + "'");
            }
            int offset;
            try {
                offset = Integer.parseInt(p.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                throw new IcapProtocolException("bad Encapsulated offset in '" + p + "'");
            }
            if (offset < 0
                    || (!sections.isEmpty() && offset < sections.getLast().offset())) {
                throw new IcapProtocolException("Encapsulated offsets must not decrease: '" + value + "'");
            }
            if (!sections.isEmpty() && sections.getLast().isBody()) {
                throw new IcapProtocolException("Encapsulated body section must be last: '" + value + "'");
            }
            sections.add(new Section(name, offset));
        }
        if (sections.isEmpty()) {
            throw new IcapProtocolException("empty Encapsulated header");
        }
        return new Encapsulated(List.copyOf(sections));
    }

    /** The body section, or null when only header sections are listed. */
    Section body() {
        return sections.getLast().isBody() ? sections.getLast() : null;
    }

    /** Bytes of encapsulated header sections before the body. */
    int headerBytes() {
        Section body = body();
        return body != null ? body.offset() : -1;
    }
}
