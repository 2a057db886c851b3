package dev.plumber.transport;

import java.io.IOException;

/** Reading the body to send failed (the source, not the ICAP connection): the caller's data is at fault. */
public final class BodySourceException extends IOException {
    private static final long serialVersionUID = 1L;

    public BodySourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
