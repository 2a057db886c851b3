package dev.plumber.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opaque bearer tokens held in memory (a restart logs everyone out). A token expires after {@code idle} without use,
 * and, when a lifetime is given, that long after it was issued however often it is used, so a stolen token that is
 * kept busy still dies.
 */
public final class TokenSessions<P> {
    private record Session<P>(P principal, Instant expires, Instant dies) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * From this many sessions on, each new one first drops those expired: a token never used again is otherwise held
     * for ever. Every session costs a log-in (a password hash), so the sweep is rare next to its cost.
     */
    private static final int SWEEP_FROM = 1024;

    private final Map<String, Session<P>> sessions = new ConcurrentHashMap<>();
    private final Duration idle;
    private final Duration lifetime;
    private final Clock clock;

    /** Tokens that live while they are used at least once per {@code idle}. */
    public TokenSessions(Duration idle, Clock clock) {
        this(idle, null, clock);
    }

    /** Tokens that expire after {@code idle} without use, and {@code lifetime} after they were issued. */
    public TokenSessions(Duration idle, Duration lifetime, Clock clock) {
        this.idle = idle;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public String open(P principal) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        if (sessions.size() >= SWEEP_FROM) {
            sessions.values().removeIf(s -> !alive(s, now));
        }
        sessions.put(token, new Session<>(principal, now.plus(idle), lifetime == null ? null : now.plus(lifetime)));
        return token;
    }

    public Optional<P> principal(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session<P> session = sessions.computeIfPresent(
                token, (t, s) -> alive(s, now) ? new Session<>(s.principal(), now.plus(idle), s.dies()) : null);
        return session == null ? Optional.empty() : Optional.of(session.principal());
    }

    /** How many sessions are held, expired ones not yet dropped included. */
    int size() {
        return sessions.size();
    }

    private static boolean alive(Session<?> s, Instant now) {
        return s.expires().isAfter(now) && (s.dies() == null || s.dies().isAfter(now));
    }

    public void close(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }
}
