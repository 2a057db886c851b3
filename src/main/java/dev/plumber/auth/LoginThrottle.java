package dev.plumber.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing per account and client address: after {@code maxFailures} failed log-ins in a row the
 * pair is refused until a lock-out passes; the lock-out doubles with every further failure, up to an hour. A pair's
 * failures are forgotten an hour after its last failure or lock-out. Held in memory: each replica throttles on its
 * own, which still caps guesses at a few per minute.
 */
public final class LoginThrottle {
    private static final Duration MAX_LOCK = Duration.ofHours(1);
    private static final Duration FORGET_AFTER = Duration.ofHours(1);
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, Instant last, Instant lockedUntil) {
        boolean locked(Instant now) {
            return lockedUntil != null && lockedUntil.isAfter(now);
        }

        /** The failures no longer matter: no lock-out runs and the last failure or lock-out is long past. */
        boolean stale(Instant now) {
            Instant end = lockedUntil == null ? last : lockedUntil;
            return !end.plus(FORGET_AFTER).isAfter(now);
        }
    }

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
        if (f == null || !f.locked(now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, f.lockedUntil()));
    }

    public void failed(String email, String ip) {
        Instant now = clock.instant();
        if (failures.size() > MAX_TRACKED) {
            shrink(now);
        }
        failures.compute(key(email, ip), (k, f) -> {
            int count = f == null || f.stale(now) ? 1 : f.count() + 1;
            Instant until = null;
            if (count >= maxFailures) {
                Duration lock = firstLock.multipliedBy(1L << Math.min(20, count - maxFailures));
                until = now.plus(lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock);
            }
            return new Failures(count, now, until);
        });
    }

    public void succeeded(String email, String ip) {
        failures.remove(key(email, ip));
    }

    /**
     * A flood of distinct pairs: forgets what no longer matters, then, if still too many, enough to get a tenth
     * under the bound, so the sort runs once per many failures rather than on each.
     */
    private synchronized void shrink(Instant now) {
        if (failures.size() <= MAX_TRACKED) {
            return; // another thread shrank it meanwhile
        }
        failures.values().removeIf(f -> f.stale(now));
        int excess = failures.size() - MAX_TRACKED * 9 / 10;
        if (excess <= 0) {
            return;
        }
        List<Map.Entry<String, Failures>> entries = new ArrayList<>(failures.size());
        failures.forEach((k, f) -> entries.add(Map.entry(k, f)));
        // Pairs not locked out go first, the fewest failures and then the oldest first: a flood of one-off junk
        // e-mails evicts itself, not an account's earlier failures. Lock-outs go last, the soonest-ending first.
        entries.sort(Comparator.comparing(
                        (Map.Entry<String, Failures> e) -> e.getValue().locked(now))
                .thenComparing(e -> e.getValue().locked(now) ? e.getValue().lockedUntil() : Instant.MIN)
                .thenComparingInt(e -> e.getValue().count())
                .thenComparing(e -> e.getValue().last()));
        for (Map.Entry<String, Failures> e : entries.subList(0, Math.min(excess, entries.size()))) {
            failures.remove(e.getKey(), e.getValue()); // unless it failed again meanwhile
        }
    }

    private static String key(String email, String ip) {
        return (email == null ? "" : email.strip().toLowerCase(Locale.ROOT)) + "|" + ip;
    }
}
