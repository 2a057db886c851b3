package dev.plumber.icap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An ordered, immutable list of header fields with case-insensitive lookup; repeated names are kept. */
public final class IcapHeaders {
    private static final IcapHeaders EMPTY = new IcapHeaders(List.of());

    private final List<Map.Entry<String, String>> fields;

    private IcapHeaders(List<Map.Entry<String, String>> fields) {
        this.fields = List.copyOf(fields);
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
        return new IcapHeaders(list);
    }

    /** A copy with one more field at the end. */
    public IcapHeaders with(String name, String value) {
        List<Map.Entry<String, String>> list = new ArrayList<>(fields);
        list.add(field(name, value));
        return new IcapHeaders(list);
    }

    /** A copy without any field of this name. */
    public IcapHeaders without(String name) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (Map.Entry<String, String> f : fields) {
            if (!f.getKey().equalsIgnoreCase(name)) {
                list.add(f);
            }
        }
        return new IcapHeaders(list);
    }

    /** The first value of this name, or null. */
    public String first(String name) {
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                return f.getValue();
            }
        }
        return null;
    }

    /** Every value of this name, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> f : fields) {
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
        for (String value : all(name)) {
            for (String part : value.split(",")) {
                if (part.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
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
        if (name.isEmpty() || !name.chars().allMatch(IcapHeaders::isTokenChar)) {
            throw new IllegalArgumentException("bad header name '" + name + "'");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + " value contains a line break");
        }
        return Map.entry(name, value);
    }

    static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
