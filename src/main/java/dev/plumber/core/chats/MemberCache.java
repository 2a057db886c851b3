package dev.plumber.core.chats;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chats' types and members as recently read, so each send does not ask the database who may write to the chat and
 * whom to push the message to.
 *
 * <p>No request changes a chat's members once it is created, so an entry cannot go stale through this core; the
 * {@code freshness} bound is for changes made beside it (SQL by hand, a future replica that edits members).
 */
final class MemberCache {
    private final Clock clock;
    private final Duration freshness;
    private final int capacity;
    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(Chats.Membership membership, Instant until) {}

    MemberCache(Clock clock, Duration freshness, int capacity) {
        if (freshness.isNegative() || capacity < 0) {
            throw new IllegalArgumentException("freshness and capacity cannot be negative");
        }
        this.clock = clock;
        this.freshness = freshness;
        this.capacity = capacity;
    }

    Optional<Chats.Membership> find(long chatId) {
        Entry entry = entries.get(chatId);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.until())) {
            entries.remove(chatId, entry);
            return Optional.empty();
        }
        return Optional.of(entry.membership());
    }

    void remember(Chats.Membership membership) {
        if (freshness.isZero()) {
            return;
        }
        if (entries.size() >= capacity) {
            Instant now = clock.instant();
            entries.values().removeIf(entry -> !now.isBefore(entry.until()));
            if (entries.size() >= capacity) {
                return;
            }
        }
        entries.put(membership.chatId(), new Entry(membership, clock.instant().plus(freshness)));
    }

    int size() {
        return entries.size();
    }
}
