package dev.plumber.core.chats;

import dev.plumber.core.RequestRefused;
import dev.plumber.core.events.DlpEvents;
import dev.plumber.core.files.FileStore;
import dev.plumber.core.store.Database;
import dev.plumber.core.store.MessageCipher;
import dev.plumber.core.users.User;
import dev.plumber.event.MessageEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Sends, edits and lists messages; text is stored encrypted and every send or edit becomes a DLP event. */
public final class Messages {
    public static final int MAX_PAGE = 200;

    private final Database db;
    private final Chats chats;
    private final MessageCipher cipher;
    private final DlpEvents events;
    private final Clock clock;
    private final boolean hideBlocked;
    private final int maxLength;

    public Messages(
            Database db,
            Chats chats,
            MessageCipher cipher,
            DlpEvents events,
            Clock clock,
            boolean hideBlocked,
            int maxLength) {
        this.maxLength = maxLength;
        this.db = db;
        this.chats = chats;
        this.cipher = cipher;
        this.events = events;
        this.clock = clock;
        this.hideBlocked = hideBlocked;
    }

    /** Where and how a message was sent: the sender's IP and the system info for the event's {@code parts}. */
    public record Origin(String ip, String parts) {}

    /** Stores the message with its event (see {@link DlpEvents#message}): both are kept, or neither; returns it. */
    public Message send(User sender, long chatId, String text, String hash, Origin origin) throws SQLException {
        validate(text, hash != null);
        String chatType = chats.forMember(chatId, sender).type();
        long mid = db.autoCommit(c -> {
            if (hash != null && !FileStore.readableBy(c, hash, sender)) {
                throw RequestRefused.invalid("unknown file " + hash);
            }
            return nextMid(c);
        });
        Instant now = clock.instant();
        return events.message(event(mid, sender, chatId, chatType, text, hash, origin, now, false), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO core.messages (mid, chat_id, sender_id, text, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, mid);
                s.setLong(2, chatId);
                s.setLong(3, sender.id());
                s.setBytes(4, seal(mid, text));
                s.setString(5, hash);
                s.setTimestamp(6, Timestamp.from(now));
                s.executeUpdate();
            }
            return Message.fresh(mid, sender.email(), text, hash, now, false);
        });
    }

    /** Replaces the text of the sender's own message; the edit is checked by DLP like a new message. */
    public Message edit(User sender, long chatId, long mid, String text, Origin origin) throws SQLException {
        validate(text, false);
        String chatType = chats.forMember(chatId, sender).type();
        String hash = db.autoCommit(c -> ownMessage(c, sender, chatId, mid));
        Instant now = clock.instant();
        return events.message(event(mid, sender, chatId, chatType, text, hash, origin, now, true), c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE core.messages SET text = ?, edited_at = ?"
                    + " WHERE mid = ? AND chat_id = ? AND sender_id = ?")) {
                s.setBytes(1, seal(mid, text));
                s.setTimestamp(2, Timestamp.from(now));
                s.setLong(3, mid);
                s.setLong(4, chatId);
                s.setLong(5, sender.id());
                if (s.executeUpdate() == 0) {
                    throw RequestRefused.notFound("no message " + mid + " in chat " + chatId);
                }
            }
            return Message.fresh(mid, sender.email(), text, hash, now, true);
        });
    }

    /** The file hash of message {@code mid} when {@code sender} sent it in {@code chatId}; refused otherwise. */
    private static String ownMessage(Connection c, User sender, long chatId, long mid) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT sender_id, hash FROM core.messages WHERE mid = ? AND chat_id = ?")) {
            s.setLong(1, mid);
            s.setLong(2, chatId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw RequestRefused.notFound("no message " + mid + " in chat " + chatId);
                }
                if (rs.getLong(1) != sender.id()) {
                    throw RequestRefused.forbidden("only the sender may edit a message");
                }
                return rs.getString(2);
            }
        }
    }

    /** Up to {@code limit} messages older than {@code before} (all when null), newest first. */
    public List<Message> history(User reader, long chatId, Long before, int limit) throws SQLException {
        if (limit < 1 || limit > MAX_PAGE) {
            throw RequestRefused.invalid("limit must be 1.." + MAX_PAGE);
        }
        chats.forMember(chatId, reader);
        return db.inTransaction(c -> {
            // The status of the latest event of a message (an edit is checked anew) decides whether it is blocked.
            try (PreparedStatement s = c.prepareStatement("SELECT m.mid, u.email, m.text, m.hash, m.created_at,"
                    + " m.edited_at IS NOT NULL, d.status, d.reason, m.sender_id"
                    + " FROM core.messages m JOIN core.users u ON u.id = m.sender_id"
                    + " LEFT JOIN LATERAL (SELECT status, reason FROM core.dlp_checks"
                    + "  WHERE dlp_checks.mid = m.mid ORDER BY created_at DESC LIMIT 1) d ON TRUE"
                    + " WHERE m.chat_id = ? AND m.mid < ? ORDER BY m.mid DESC LIMIT ?")) {
                s.setLong(1, chatId);
                s.setLong(2, before == null ? Long.MAX_VALUE : before);
                s.setInt(3, limit);
                List<Message> page = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long mid = rs.getLong(1);
                        String status = rs.getString(7);
                        boolean own = rs.getLong(9) == reader.id();
                        boolean withheld = hideBlocked && "BLOCKED".equals(status) && !own;
                        page.add(new Message(
                                mid,
                                rs.getString(2),
                                withheld ? "" : open(mid, rs.getBytes(3)),
                                withheld ? null : rs.getString(4),
                                rs.getTimestamp(5).toInstant(),
                                rs.getBoolean(6),
                                status,
                                own ? rs.getString(8) : null,
                                withheld));
                    }
                }
                return page;
            }
        });
    }

    /** A message needs visible text, unless it carries a file; its length is counted in characters. */
    private void validate(String text, boolean withFile) {
        if (text == null) {
            throw RequestRefused.invalid("text is required");
        }
        if (text.isBlank() && !withFile) {
            throw RequestRefused.invalid("the message is empty: send some text or attach a file");
        }
        int length = text.codePointCount(0, text.length());
        if (length > maxLength) {
            throw new RequestRefused(
                    RequestRefused.Reason.TOO_LARGE,
                    "the message is " + length + " characters long; at most " + maxLength + " are accepted");
        }
    }

    private static long nextMid(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT nextval('core.message_mid')");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static MessageEvent event(
            long mid,
            User sender,
            long chatId,
            String chatType,
            String text,
            String hash,
            Origin origin,
            Instant now,
            boolean edit) {
        return new MessageEvent(
                UUID.randomUUID(),
                mid,
                sender.email(),
                Long.toString(chatId),
                chatType,
                text,
                hash,
                origin.parts(),
                origin.ip(),
                now,
                edit);
    }

    private byte[] seal(long mid, String text) {
        return cipher.encrypt(text.getBytes(StandardCharsets.UTF_8), associatedData(mid));
    }

    private String open(long mid, byte[] stored) {
        return new String(cipher.decrypt(stored, associatedData(mid)), StandardCharsets.UTF_8);
    }

    private static byte[] associatedData(long mid) {
        return ("message\0" + mid).getBytes(StandardCharsets.UTF_8);
    }
}
