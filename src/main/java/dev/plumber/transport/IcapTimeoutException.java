package dev.plumber.transport;

import java.io.InterruptedIOException;

/** An ICAP call ran out of its time budget (connect, a read, or a free pool slot). */
public final class IcapTimeoutException extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    public IcapTimeoutException(String message) {
        super(message);
    }
}
