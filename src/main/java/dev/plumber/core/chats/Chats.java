package dev.plumber.core.chats;

import dev.plumber.core.RequestRefused;
import dev.plumber.core.store.Database;
import dev.plumber.core.users.Accounts;
import dev.plumber.core.users.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Creates chats and answers who is in which chat. */
public final class Chats {
    private static final int MAX_TITLE = 200;

    /** How many chats' members are kept in memory at most. */
    private static final int CACHED_CHATS = 10_000;

    private final Database db;
    private final MemberCache cache;

    /** {@code freshness}: how long a chat's members, once read, are trusted without asking the database again. */
    public Chats(Database db, Clock clock, Duration freshness) {
        this.db = db;
        this.cache = new MemberCache(clock, freshness, CACHED_CHATS);
    }

    /**
     * Creates a chat of {@code creator} and {@code members}; a personal chat has exactly two members, and asking for
     * one that exists returns the existing chat.
     */
    public long create(User creator, String type, List<String> members, String title) throws SQLException {
        if (!"personal".equals(type) && !"group".equals(type)) {
            throw RequestRefused.invalid("type must be 'personal' or 'group'");
        }
        if (title != null && title.length() > MAX_TITLE) {
            throw RequestRefused.invalid("title is longer than " + MAX_TITLE + " characters");
        }
        Set<String> emails = new LinkedHashSet<>();
        emails.add(creator.email());
        for (String member : members == null ? List.<String>of() : members) {
            emails.add(Accounts.normalise(member));
        }
        if ("personal".equals(type) && emails.size() != 2) {
            throw RequestRefused.invalid("a personal chat has exactly two members: you and one other");
        }
        return db.inTransaction(c -> {
            List<User> users = Accounts.findAll(c, emails);
            if (users.size() != emails.size()) {
                Set<String> unknown = new LinkedHashSet<>(emails);
                users.forEach(u -> unknown.remove(u.email()));
                throw RequestRefused.invalid("unknown members: " + String.join(", ", unknown));
            }
            if ("personal".equals(type)) {
                Long existing = personalChat(c, users.get(0).id(), users.get(1).id());
                if (existing != null) {
                    return existing;
                }
            }
            long id;
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO core.chats (type, title, created_by) VALUES (?, ?, ?) RETURNING id")) {
                s.setString(1, type);
                s.setString(2, title);
                s.setLong(3, creator.id());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO core.chat_members (chat_id, user_id) VALUES (?, ?)")) {
                for (User user : users) {
                    s.setLong(1, id);
                    s.setLong(2, user.id());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return id;
        });
    }

    private static Long personalChat(Connection c, long a, long b) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT c.id FROM core.chats c"
                + " JOIN core.chat_members x ON x.chat_id = c.id AND x.user_id = ?"
                + " JOIN core.chat_members y ON y.chat_id = c.id AND y.user_id = ?"
                + " WHERE c.type = 'personal' ORDER BY c.id LIMIT 1")) {
            s.setLong(1, a);
            s.setLong(2, b);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** The chats {@code user} is a member of, newest first. */
    public List<Chat> of(User user) throws SQLException {
        return db.inTransaction(c -> {
            List<Chat> chats = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT c.id, c.type, c.title,"
                    + " (SELECT array_agg(u.email ORDER BY u.email) FROM core.chat_members m2"
                    + "  JOIN core.users u ON u.id = m2.user_id WHERE m2.chat_id = c.id)"
                    + " FROM core.chats c JOIN core.chat_members m ON m.chat_id = c.id AND m.user_id = ?"
                    + " ORDER BY c.id DESC")) {
                s.setLong(1, user.id());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String[] members = (String[]) rs.getArray(4).getArray();
                        chats.add(new Chat(rs.getLong(1), rs.getString(2), rs.getString(3), List.of(members)));
                    }
                }
            }
            return chats;
        });
    }

    /** A chat's type ({@code personal} or {@code group}) and the ids of its members. */
    public record Membership(long chatId, String type, List<Long> memberIds) {
        public Membership {
            memberIds = List.copyOf(memberIds);
        }

        boolean has(long userId) {
            return memberIds.contains(userId);
        }
    }

    /** The ids of the members of chat {@code chatId}; empty when there is no such chat. */
    public List<Long> memberIds(long chatId) throws SQLException {
        return membership(chatId).map(Membership::memberIds).orElse(List.of());
    }

    /** Chat {@code chatId} when {@code user} is a member; refuses otherwise (404 no chat, 403 not a member). */
    public Membership forMember(long chatId, User user) throws SQLException {
        Membership chat = membership(chatId).orElseThrow(() -> RequestRefused.notFound("no chat " + chatId));
        if (!chat.has(user.id())) {
            throw RequestRefused.forbidden("you are not a member of chat " + chatId);
        }
        return chat;
    }

    private Optional<Membership> membership(long chatId) throws SQLException {
        Optional<Membership> cached = cache.find(chatId);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<Membership> found = db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT c.type,"
                    + " ARRAY(SELECT m.user_id FROM core.chat_members m WHERE m.chat_id = c.id ORDER BY m.user_id)"
                    + " FROM core.chats c WHERE c.id = ?")) {
                s.setLong(1, chatId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Membership>empty();
                    }
                    Long[] members = (Long[]) rs.getArray(2).getArray();
                    return Optional.of(new Membership(chatId, rs.getString(1), List.of(members)));
                }
            }
        });
        found.ifPresent(cache::remember);
        return found;
    }
}
