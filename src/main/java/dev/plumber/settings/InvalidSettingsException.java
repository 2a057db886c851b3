package dev.plumber.settings;

/** Settings that cannot be used; the message names the key and the reason. */
public final class InvalidSettingsException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidSettingsException(String message) {
        super(message);
    }
}
