package dev.plumber.core.users;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accounts recently found behind bearer tokens, so a burst of requests with one token asks the database once.
 *
 * <p>An entry lives at most {@code freshness}, and never past its session's end. Log-out and every change an
 * administrator makes to an account forget the affected entries at once; a change made outside this process (another
 * core replica, SQL by hand) is seen within {@code freshness}. A lookup that raced with a forget is not cached: each
 * forget bumps a generation, and an entry put under an older generation is taken back.
 */
public final class SessionCache {
    private static final HexFormat HEX = HexFormat.of();

    private final Clock clock;
    private final Duration freshness;
    private final int capacity;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    private record Entry(User user, Instant until) {}

    public SessionCache(Clock clock, Duration freshness, int capacity) {
        if (freshness.isNegative() || capacity < 0) {
            throw new IllegalArgumentException("freshness and capacity cannot be negative");
        }
        this.clock = clock;
        this.freshness = freshness;
        this.capacity = capacity;
    }

    /** The account cached for this token hash, while its entry is fresh. */
    Optional<User> find(byte[] tokenSha256) {
        String key = HEX.formatHex(tokenSha256);
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.until())) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.user());
    }

    /** Read before looking a token up in the database; hand it back to {@link #remember}. */
    long generation() {
        return generation.get();
    }

    /**
     * Caches what the database said about a token at {@code generationBefore}, for at most {@code sessionLeft} (the
     * rest of the session's life); not cached when something was forgotten since.
     */
    void remember(byte[] tokenSha256, User user, Duration sessionLeft, long generationBefore) {
        Duration life = sessionLeft.compareTo(freshness) < 0 ? sessionLeft : freshness;
        if (life.isNegative() || life.isZero() || generation.get() != generationBefore) {
            return;
        }
        if (entries.size() >= capacity) {
            evictStale();
            if (entries.size() >= capacity) {
                return;
            }
        }
        String key = HEX.formatHex(tokenSha256);
        Entry entry = new Entry(user, clock.instant().plus(life));
        entries.put(key, entry);
        // A forget that ran between the check above and the put did not see this entry: take it back.
        if (generation.get() != generationBefore) {
            entries.remove(key, entry);
        }
    }

    /** Forgets one session (log-out). */
    void forgetToken(byte[] tokenSha256) {
        generation.incrementAndGet();
        entries.remove(HEX.formatHex(tokenSha256));
    }

    /** Forgets every session of one account (disabled, new password, new role). */
    void forgetUser(long userId) {
        generation.incrementAndGet();
        entries.values().removeIf(entry -> entry.user().id() == userId);
    }

    int size() {
        return entries.size();
    }

    private void evictStale() {
        Instant now = clock.instant();
        entries.values().removeIf(entry -> !now.isBefore(entry.until()));
    }
}
