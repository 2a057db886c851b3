package dev.plumber.event;

/** An event value that cannot be read as a SPEC §3 event; it belongs on the dead-letter topic. */
public final class MalformedEventException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedEventException(String message) {
        super(message);
    }
}
