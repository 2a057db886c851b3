package dev.plumber.icap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An ordered, immutable list of header fields with case-insensitive lookup; repeated names are kept. */
public final class IcapHeaders {
    private static final IcapHeaders EMPTY = new IcapHeaders(List.of());

    /** Which characters below 127 a token may hold (RFC 7230 §3.2.6: visible, and not a delimiter). */
    private static final boolean[] TOKEN_CHARS = tokenChars();

    private final List<Map.Entry<String, String>> fields;

    /** Takes {@code fields}, which must be unmodifiable and checked. */
    private IcapHeaders(List<Map.Entry<String, String>> fields) {
        this.fields = fields;
    }

    public static IcapHeaders empty() {
        return EMPTY;
    }

    /** Pairs of name and value: {@code of("Host", "a", "Allow", "204")}. */
    public static IcapHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            list.add(field(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new IcapHeaders(List.copyOf(list));
    }

    /** Fields a parser took from the wire, names and values checked there. */
    static IcapHeaders parsed(List<Map.Entry<String, String>> fields) {
        return new IcapHeaders(List.copyOf(fields));
    }

    /** A copy with one more field at the end. */
    public IcapHeaders with(String name, String value) {
        List<Map.Entry<String, String>> list = new ArrayList<>(fields.size() + 1);
        list.addAll(fields);
        list.add(field(name, value));
        return new IcapHeaders(Collections.unmodifiableList(list));
    }

    /** A copy in which this name has the one value given, in a field at the end. */
    public IcapHeaders replacing(String name, String value) {
        Map.Entry<String, String> added = field(name, value);
        List<Map.Entry<String, String>> list = fieldsOtherThan(name, 1);
        list.add(added);
        return new IcapHeaders(Collections.unmodifiableList(list));
    }

    /** A copy without any field of this name. */
    public IcapHeaders without(String name) {
        return contains(name) ? new IcapHeaders(List.copyOf(fieldsOtherThan(name, 0))) : this;
    }

    /** The fields of any other name, in order, in a new list with room for {@code more}. */
    private List<Map.Entry<String, String>> fieldsOtherThan(String name, int more) {
        List<Map.Entry<String, String>> list = new ArrayList<>(fields.size() + more);
        for (int i = 0; i < fields.size(); i++) {
            Map.Entry<String, String> f = fields.get(i);
            if (!f.getKey().equalsIgnoreCase(name)) {
                list.add(f);
            }
        }
        return list;
    }

    /** The first value of this name, or null. */
    public String first(String name) {
        for (int i = 0; i < fields.size(); i++) {
            Map.Entry<String, String> f = fields.get(i);
            if (f.getKey().equalsIgnoreCase(name)) {
                return f.getValue();
            }
        }
        return null;
    }

    /** Every value of this name, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            Map.Entry<String, String> f = fields.get(i);
            if (f.getKey().equalsIgnoreCase(name)) {
                values.add(f.getValue());
            }
        }
        return values;
    }

    public boolean contains(String name) {
        return first(name) != null;
    }

    /** True when a comma-separated value of this name holds the token (case-insensitive). */
    public boolean hasToken(String name, String token) {
        for (int i = 0; i < fields.size(); i++) {
            Map.Entry<String, String> f = fields.get(i);
            if (f.getKey().equalsIgnoreCase(name) && listHolds(f.getValue(), token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an element of the comma-separated {@code list}, stripped, is {@code token} (case-insensitive). */
    private static boolean listHolds(String list, String token) {
        int from = 0;
        while (from <= list.length()) {
            int comma = list.indexOf(',', from);
            int to = comma < 0 ? list.length() : comma;
            int start = from;
            int end = to;
            while (start < end && Character.isWhitespace(list.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(list.charAt(end - 1))) {
                end--;
            }
            if (end - start == token.length() && list.regionMatches(true, start, token, 0, token.length())) {
                return true;
            }
            from = to + 1;
        }
        return false;
    }

    public List<Map.Entry<String, String>> fields() {
        return fields;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IcapHeaders other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }

    private static Map.Entry<String, String> field(String name, String value) {
        if (!isToken(name)) {
            throw new IllegalArgumentException("bad header name '" + name + "'");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + " value contains a line break");
        }
        return Map.entry(name, value);
    }

    /** Whether {@code s} is a token (RFC 7230 §3.2.6): what a field's name must be. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[from, to)} is a token, read as ISO-8859-1. */
    static boolean isToken(byte[] b, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTokenChar((char) (b[i] & 0xff))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTokenChar(char c) {
        return c < TOKEN_CHARS.length && TOKEN_CHARS[c];
    }

    private static boolean[] tokenChars() {
        boolean[] token = new boolean[127];
        for (char c = 33; c < 127; c++) {
            token[c] = "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        }
        return token;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
