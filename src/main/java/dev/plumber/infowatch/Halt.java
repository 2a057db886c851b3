package dev.plumber.infowatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether sending to Traffic Monitor is halted, and why. Refused credentials or a licence error would fail every
 * event the same way, so instead of burning through the queue the sender stops: events stay {@code RETRYING}, and
 * only one probe goes through after each back-off (doubling up to a maximum). A change of the settings the halt was
 * caused with (address, company, token, service) lets the next event through at once. Thread-safe.
 */
final class Halt {
    private final Clock clock;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    private Object cause;
    private String reason;
    private Duration backoff;
    private Instant nextTry;

    /**
     * @param firstBackoff the wait before the first probe after a halt
     * @param maxBackoff the longest wait between probes
     */
    Halt(Clock clock, Duration firstBackoff, Duration maxBackoff) {
        this.clock = clock;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Null when a call with these settings may go ahead (as a probe when halted), else why it may not. A probe
     * moves the next try one back-off later, so that only one call probes at a time.
     */
    synchronized String refusal(Object settings) {
        if (reason == null || !settings.equals(cause)) {
            return null;
        }
        Instant now = clock.instant();
        if (now.isBefore(nextTry)) {
            return reason + " (sending halted; next try after " + nextTry + ")";
        }
        nextTry = now.plus(backoff);
        return null;
    }

    /** Stops sending with these settings; a halt that goes on doubles its back-off. */
    synchronized void halt(Object settings, String why) {
        backoff = reason != null && settings.equals(cause) ? min(backoff.multipliedBy(2), maxBackoff) : firstBackoff;
        cause = settings;
        reason = why;
        nextTry = clock.instant().plus(backoff);
    }

    /** A call went through: sending resumes. */
    synchronized void clear() {
        cause = null;
        reason = null;
        backoff = null;
        nextTry = null;
    }

    synchronized Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
