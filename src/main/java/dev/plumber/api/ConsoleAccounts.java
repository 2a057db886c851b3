package dev.plumber.api;

import dev.plumber.auth.PasswordHasher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/** Console accounts (auditors and admins) in the gateway's database. */
public final class ConsoleAccounts {
    /** A console role; messenger users have none. */
    public enum Role {
        AUDITOR,
        ADMIN
    }

    /** What {@link #setDisabled} did. */
    public enum Change {
        DONE,
        NO_SUCH_ACCOUNT,
        /** Refused: the console would be left without an enabled admin. */
        LAST_ADMIN
    }

    private final DataSource dataSource;
    private final PasswordHasher hasher;
    /** Checked for an unknown or disabled e-mail, so a wrong e-mail costs as long as a wrong password. */
    private final String decoyHash;

    public ConsoleAccounts(DataSource dataSource, PasswordHasher hasher) {
        this.dataSource = dataSource;
        this.hasher = hasher;
        this.decoyHash = hasher.hash("decoy");
    }

    /** Creates the account unless one with that e-mail exists; returns whether it was created. */
    public boolean create(String email, String password, Role role) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO gateway.console_accounts (email, password_hash, role) VALUES (?, ?, ?)"
                                + " ON CONFLICT (email) DO NOTHING")) {
            s.setString(1, normalise(email));
            s.setString(2, hasher.hash(password));
            s.setString(3, role.name().toLowerCase(java.util.Locale.ROOT));
            return s.executeUpdate() == 1;
        }
    }

    /** A console account as the admin page lists it. */
    public record Account(String email, Role role, boolean disabled, java.time.Instant createdAt) {}

    /** Every account, by e-mail. */
    public java.util.List<Account> list() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT email, role, disabled, created_at FROM gateway.console_accounts ORDER BY email");
                ResultSet r = s.executeQuery()) {
            java.util.List<Account> accounts = new java.util.ArrayList<>();
            while (r.next()) {
                accounts.add(new Account(
                        r.getString(1),
                        Role.valueOf(r.getString(2).toUpperCase(java.util.Locale.ROOT)),
                        r.getBoolean(3),
                        r.getTimestamp(4).toInstant()));
            }
            return accounts;
        }
    }

    /** Disables or re-enables an account; never disables the last enabled admin. */
    public Change setDisabled(String email, boolean disabled) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Change change = setDisabled(c, normalise(email), disabled);
                c.commit();
                return change;
            } finally {
                c.rollback(); // a no-op after the commit
                c.setAutoCommit(true);
            }
        }
    }

    private static Change setDisabled(Connection c, String email, boolean disabled) throws SQLException {
        if (disabled) {
            // Locks the enabled admins' rows: two admins disabling each other at once are serialised here, and the
            // second sees the first's change.
            java.util.List<String> admins = new java.util.ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT email FROM gateway.console_accounts"
                            + " WHERE role = 'admin' AND NOT disabled ORDER BY email FOR UPDATE");
                    ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    admins.add(r.getString(1));
                }
            }
            if (admins.equals(java.util.List.of(email))) {
                return Change.LAST_ADMIN;
            }
        }
        try (PreparedStatement s =
                c.prepareStatement("UPDATE gateway.console_accounts SET disabled = ? WHERE email = ?")) {
            s.setBoolean(1, disabled);
            s.setString(2, email);
            return s.executeUpdate() == 1 ? Change.DONE : Change.NO_SUCH_ACCOUNT;
        }
    }

    /** The role of an enabled account, checked on every console request so a disabled account loses access. */
    public Optional<Role> enabledRole(String email) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT role FROM gateway.console_accounts WHERE email = ? AND NOT disabled")) {
            s.setString(1, normalise(email));
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(Role.valueOf(r.getString(1).toUpperCase(java.util.Locale.ROOT)))
                        : Optional.empty();
            }
        }
    }

    public boolean isEmpty() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT 1 FROM gateway.console_accounts LIMIT 1");
                ResultSet r = s.executeQuery()) {
            return !r.next();
        }
    }

    /**
     * The account's role when the e-mail and password match an enabled account. The password is checked whether or not
     * the account exists and is enabled, so the time taken does not tell which e-mails have accounts.
     */
    public Optional<Role> authenticate(String email, String password) throws SQLException {
        String hash = decoyHash;
        Optional<Role> role = Optional.empty();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT password_hash, role FROM gateway.console_accounts WHERE email = ? AND NOT disabled")) {
            s.setString(1, normalise(email));
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    hash = r.getString(1);
                    role = Optional.of(Role.valueOf(r.getString(2).toUpperCase(java.util.Locale.ROOT)));
                }
            }
        }
        // Outside the connection: a slow hash does not hold one of the pool's connections.
        return hasher.matches(password, hash) ? role : Optional.empty();
    }

    /** An e-mail as accounts are stored and looked up: stripped and lower-case. */
    public static String normalise(String email) {
        return email == null ? "" : email.strip().toLowerCase(java.util.Locale.ROOT);
    }
}
