package dev.plumber.core.users;

import dev.plumber.auth.PasswordHasher;
import dev.plumber.core.RequestRefused;
import dev.plumber.core.events.Journal;
import dev.plumber.core.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Administrators' account management (seed: assigning roles, managing accounts); every change is journaled. */
public final class AccountAdmin {
    private static final int MAX_EMAIL = 254;

    private final Database db;
    private final PasswordHasher hasher;
    private final Journal journal;
    private final SessionCache sessions;

    public AccountAdmin(Database db, PasswordHasher hasher, Journal journal, SessionCache sessions) {
        this.sessions = sessions;
        this.db = db;
        this.hasher = hasher;
        this.journal = journal;
    }

    /** An account as administrators see it. */
    public record Entry(String email, String role, boolean disabled) {}

    /** What an update changes; null fields stay as they are. */
    public record Change(String role, Boolean disabled, String password) {}

    public List<Entry> list() throws SQLException {
        return db.inTransaction(c -> {
            try (PreparedStatement s =
                            c.prepareStatement("SELECT email, role, disabled FROM core.users ORDER BY email");
                    ResultSet rs = s.executeQuery()) {
                List<Entry> entries = new ArrayList<>();
                while (rs.next()) {
                    entries.add(new Entry(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
                }
                return entries;
            }
        });
    }

    /** The enabled accounts' e-mails: the address book every user may read. */
    public List<String> directory() throws SQLException {
        return db.inTransaction(c -> {
            try (PreparedStatement s =
                            c.prepareStatement("SELECT email FROM core.users WHERE NOT disabled ORDER BY email");
                    ResultSet rs = s.executeQuery()) {
                List<String> emails = new ArrayList<>();
                while (rs.next()) {
                    emails.add(rs.getString(1));
                }
                return emails;
            }
        });
    }

    public void create(User admin, String email, String password, String role, String ip) throws SQLException {
        String normalised = Accounts.normalise(email);
        if (normalised.length() > MAX_EMAIL || !normalised.matches("[^@\\s]+@[^@\\s]+")) {
            throw RequestRefused.invalid("not an e-mail address: " + email);
        }
        requirePassword(password);
        Role parsed = role(role == null ? "user" : role);
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO core.users (email, password_hash, role)"
                    + " VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING")) {
                s.setString(1, normalised);
                s.setString(2, hasher.hash(password));
                s.setString(3, parsed.dbName());
                if (s.executeUpdate() == 0) {
                    throw new RequestRefused(RequestRefused.Reason.CONFLICT, "the account " + normalised + " exists");
                }
            }
            journal.admin(c, "user.created", admin.email(), normalised, ip, Map.of("role", parsed.dbName()));
            return null;
        });
        journal.committed();
    }

    /**
     * Changes role, enabled state or password; disabling or a new password ends the account's sessions, and every
     * change applies to the account's next request (its cached sessions are forgotten). An
     * administrator cannot disable or demote themselves, so the last one cannot lock everyone out.
     * Returns the account's id when the change ended its sessions (disabled, or a new password), so its live
     * sockets can be closed.
     */
    public OptionalLong update(User admin, String email, Change change, String ip) throws SQLException {
        String normalised = Accounts.normalise(email);
        Role role = change.role() == null ? null : role(change.role());
        if (change.password() != null) {
            requirePassword(change.password());
        }
        if (normalised.equals(admin.email())
                && (Boolean.TRUE.equals(change.disabled()) || (role != null && role != Role.ADMIN))) {
            throw RequestRefused.invalid("administrators cannot disable or demote themselves");
        }
        String hash = change.password() == null ? null : hasher.hash(change.password());
        long id = db.inTransaction(c -> {
            long found = Accounts.find(c, normalised)
                    .orElseThrow(() -> RequestRefused.notFound("no account " + normalised))
                    .id();
            Map<String, Object> details = new LinkedHashMap<>();
            if (role != null) {
                set(c, "role", role.dbName(), found);
                details.put("role", role.dbName());
            }
            if (change.disabled() != null) {
                set(c, "disabled", change.disabled(), found);
                details.put("disabled", change.disabled());
            }
            if (hash != null) {
                set(c, "password_hash", hash, found);
                details.put("password", "changed");
            }
            if (Boolean.TRUE.equals(change.disabled()) || hash != null) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM core.sessions WHERE user_id = ?")) {
                    s.setLong(1, found);
                    s.executeUpdate();
                }
            }
            journal.admin(c, "user.updated", admin.email(), normalised, ip, details);
            return found;
        });
        // After the commit: a lookup that started earlier saw the old account and must not be served from now on.
        sessions.forgetUser(id);
        journal.committed();
        return Boolean.TRUE.equals(change.disabled()) || hash != null ? OptionalLong.of(id) : OptionalLong.empty();
    }

    private static void set(Connection c, String column, Object value, long id) throws SQLException {
        // column is one of three literals above, never user input.
        try (PreparedStatement s = c.prepareStatement("UPDATE core.users SET " + column + " = ? WHERE id = ?")) {
            s.setObject(1, value);
            s.setLong(2, id);
            s.executeUpdate();
        }
    }

    private static Role role(String name) {
        try {
            return Role.of(name);
        } catch (IllegalArgumentException e) {
            throw RequestRefused.invalid("role must be admin, user or auditor");
        }
    }

    private static void requirePassword(String password) {
        if (password == null || password.length() < 4) {
            throw RequestRefused.invalid("a password needs at least 4 characters");
        }
    }
}
