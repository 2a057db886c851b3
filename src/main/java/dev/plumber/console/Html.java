package dev.plumber.console;

/** Escapes text for HTML element content and quoted attribute values: every user value goes through here. */
public final class Html {
    private Html() {}

    /** {@code value} as inert text (null as empty); safe inside elements and double- or single-quoted attributes. */
    public static String escape(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                case '`' -> out.append("&#96;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    /** {@code value} encoded for a URL query parameter or path segment. */
    public static String url(Object value) {
        return value == null
                ? ""
                : java.net.URLEncoder.encode(value.toString(), java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20");
    }
}
