package dev.plumber.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing per account and client address: after {@code maxFailures} failed log-ins in a row the
 * pair is refused until a lock-out passes; the lock-out doubles with every further failure, up to an hour. Held in
 * memory: each replica throttles on its own, which still caps guesses at a few per minute.
 */
public final class LoginThrottle {
    private static final Duration MAX_LOCK = Duration.ofHours(1);
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, Instant lockedUntil) {}

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final int maxFailures;
    private final Duration firstLock;
    private final Clock clock;

    public LoginThrottle(int maxFailures, Duration firstLock, Clock clock) {
        this.maxFailures = maxFailures;
        this.firstLock = firstLock;
        this.clock = clock;
    }

    /** How long this account and address must still wait, or empty when a log-in may be tried. */
    public Optional<Duration> lockedFor(String email, String ip) {
        Failures f = failures.get(key(email, ip));
        Instant now = clock.instant();
        if (f == null || f.lockedUntil() == null || !f.lockedUntil().isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, f.lockedUntil()));
    }

    public void failed(String email, String ip) {
        if (failures.size() > MAX_TRACKED) {
            // A flood of distinct pairs: forget expired entries rather than grow without bound.
            Instant now = clock.instant();
            failures.values()
                    .removeIf(f -> f.lockedUntil() == null || f.lockedUntil().isBefore(now));
        }
        failures.compute(key(email, ip), (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            Instant until = null;
            if (count >= maxFailures) {
                Duration lock = firstLock.multipliedBy(1L << Math.min(20, count - maxFailures));
                until = clock.instant().plus(lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock);
            }
            return new Failures(count, until);
        });
    }

    public void succeeded(String email, String ip) {
        failures.remove(key(email, ip));
    }

    private static String key(String email, String ip) {
        return (email == null ? "" : email.strip().toLowerCase(Locale.ROOT)) + "|" + ip;
    }
}
