package dev.plumber.settings;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one duration syntax of Plumber's configuration: a number and a unit ({@code ms}, {@code s}, {@code m}, {@code h}). */
public final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Durations() {}

    public static Duration parse(String text) {
        Matcher m = text == null ? null : SYNTAX.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 500ms, 5s, 2m, 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
