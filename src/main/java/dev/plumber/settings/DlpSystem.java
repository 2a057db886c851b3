package dev.plumber.settings;

/** The DLP products Plumber delivers to. */
public enum DlpSystem {
    ICAP,
    INFOWATCH;

    private final String key = name().toLowerCase(java.util.Locale.ROOT);

    /** The system's name in settings, metrics and status rows: {@code icap}, {@code infowatch}. */
    public String key() {
        return key;
    }
}
