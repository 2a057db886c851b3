package dev.plumber.core.users;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Slows down password guessing: after {@code maxFailures} failed log-ins to one account from one address within
 * {@code lockout}, that pair is refused for {@code lockout} without checking the password; a success clears it.
 *
 * <p>Keyed by account and address together, so a guesser cannot lock a user out from everywhere (only from the
 * guesser's own address), and one address cannot try many passwords on one account. State is per core process.
 */
public final class LoginThrottle {
    /** Above this many tracked pairs, expired ones are dropped, so a spray of addresses cannot grow it for ever. */
    private static final int SWEEP_ABOVE = 10_000;

    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final ConcurrentMap<Key, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(int maxFailures, Duration lockout, Clock clock) {
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
    }

    /** How long this pair must still wait before its next attempt, or empty when it may try now. */
    public Optional<Duration> retryAfter(String email, String ip) {
        Failures current = failures.get(new Key(Accounts.normalise(email), ip));
        Instant now = clock.instant();
        if (current == null || current.lockedUntil == null || !now.isBefore(current.lockedUntil)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, current.lockedUntil));
    }

    /** Counts a failed attempt; the one that reaches {@code maxFailures} starts the lock-out. */
    public void failed(String email, String ip) {
        Instant now = clock.instant();
        if (failures.size() > SWEEP_ABOVE) {
            failures.values().removeIf(f -> f.expired(now, lockout));
        }
        failures.compute(new Key(Accounts.normalise(email), ip), (key, previous) -> {
            Failures next = previous == null || previous.expired(now, lockout) ? new Failures(now) : previous;
            next.count++;
            next.last = now;
            if (next.count >= maxFailures) {
                next.lockedUntil = now.plus(lockout);
                next.count = 0;
            }
            return next;
        });
    }

    public void succeeded(String email, String ip) {
        failures.remove(new Key(Accounts.normalise(email), ip));
    }

    private record Key(String email, String ip) {}

    /** Failures of one pair in the current window; changed only inside the map's compute. */
    private static final class Failures {
        int count;
        Instant last;
        Instant lockedUntil;

        Failures(Instant now) {
            this.last = now;
        }

        /** Nothing to remember: the last failure is older than the window and no lock-out is running. */
        boolean expired(Instant now, Duration lockout) {
            boolean locked = lockedUntil != null && now.isBefore(lockedUntil);
            return !locked && !now.isBefore(last.plus(lockout));
        }
    }
}
