package dev.plumber.settings;

/** The DLP products Plumber delivers to. */
public enum DlpSystem {
    ICAP,
    INFOWATCH;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
