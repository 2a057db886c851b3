package dev.plumber.core.events;

/** A synchronous produce was not acknowledged in time: the user's action must be refused (seed: check_dlp_sync). */
public final class QueueUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
