package dev.plumber.core.events;

import dev.plumber.event.DlpEvent;
import dev.plumber.event.FileEvent;
import dev.plumber.event.MessageEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The DLP events the core produced and the latest status the gateway reported for each. */
public final class DlpChecks {
    /** Statuses the gateway decides once (SPEC §5); a late non-terminal status never overwrites them. */
    private static final Set<String> TERMINAL = Set.of("ALLOWED", "BLOCKED", "ACCEPTED", "FAILED", "SKIPPED");

    private DlpChecks() {}

    static void expect(Connection tx, DlpEvent event) throws SQLException {
        try (PreparedStatement s =
                tx.prepareStatement("INSERT INTO core.dlp_checks (event_id, kind, mid, hash) VALUES (?, ?, ?, ?)")) {
            s.setObject(1, event.id());
            switch (event) {
                case MessageEvent m -> {
                    s.setString(2, "message");
                    s.setLong(3, m.mid());
                    s.setString(4, null);
                }
                case FileEvent f -> {
                    s.setString(2, "file");
                    s.setObject(3, null);
                    s.setString(4, f.hash());
                }
            }
            s.executeUpdate();
        }
    }

    /** Removes the check of an event that was never produced. */
    static boolean forget(Connection c, DlpEvent event) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM core.dlp_checks WHERE event_id = ?")) {
            s.setObject(1, event.id());
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Records a status change; returns the message it blocked (chat id and mid), if it newly blocked one. Nothing
     * changes when the event is not ours or its terminal status is already set.
     */
    static Optional<BlockedMessage> update(Connection tx, UUID eventId, String status, String reason)
            throws SQLException {
        try (PreparedStatement s = tx.prepareStatement("UPDATE core.dlp_checks d SET status = ?, reason = ?,"
                + " updated_at = now() WHERE event_id = ? AND (status IS NULL OR NOT status = ANY (?))"
                + " RETURNING d.mid, (SELECT m.chat_id FROM core.messages m WHERE m.mid = d.mid)")) {
            s.setString(1, status);
            s.setString(2, reason);
            s.setObject(3, eventId);
            s.setArray(4, tx.createArrayOf("text", TERMINAL.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || !"BLOCKED".equals(status) || rs.getObject(2) == null) {
                    return Optional.empty();
                }
                return Optional.of(new BlockedMessage(rs.getLong(2), rs.getLong(1)));
            }
        }
    }

    /** A message the DLP blocked. */
    public record BlockedMessage(long chatId, long mid) {}
}
