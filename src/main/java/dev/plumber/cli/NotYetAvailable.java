package dev.plumber.cli;

/** Thrown by commands whose capability this build does not have yet; the message says what is missing. */
final class NotYetAvailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotYetAvailable(String what) {
        super(what + " is not available in this build yet");
    }
}
