package dev.plumber.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Opaque bearer tokens with an idle expiry, held in memory; a restart logs everyone out. */
public final class TokenSessions<P> {
    private record Session<P>(P principal, Instant expires) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session<P>> sessions = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    public TokenSessions(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    public String open(P principal) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(token, new Session<>(principal, clock.instant().plus(ttl)));
        return token;
    }

    public Optional<P> principal(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session<P> session = sessions.computeIfPresent(
                token, (t, s) -> s.expires().isAfter(now) ? new Session<>(s.principal(), now.plus(ttl)) : null);
        return session == null ? Optional.empty() : Optional.of(session.principal());
    }

    public void close(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }
}
