package dev.plumber.core.http;

import java.time.Duration;

/** A log-in refused while its account and address are locked out; the client may try again after {@code wait}. */
final class TooManyAttempts extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Duration wait;

    TooManyAttempts(Duration wait) {
        super("too many failed log-ins; try again in " + seconds(wait) + " s");
        this.wait = wait;
    }

    /** Whole seconds for {@code Retry-After}, rounded up so a client that waits that long is let in. */
    long retryAfterSeconds() {
        return seconds(wait);
    }

    private static long seconds(Duration wait) {
        return Math.max(1, wait.plusNanos(999_999_999).toSeconds());
    }
}
