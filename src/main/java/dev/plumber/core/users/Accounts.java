package dev.plumber.core.users;

import dev.plumber.auth.PasswordHasher;
import dev.plumber.core.CoreConfig;
import dev.plumber.core.events.Journal;
import dev.plumber.core.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accounts and their sessions: bootstrap, login with a password, logout, and bearer-token lookup. */
public final class Accounts {
    private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);

    private final Database db;
    private final PasswordHasher hasher;
    private final BearerTokens tokens;
    private final Journal journal;
    private final Duration sessionTtl;
    private final SessionCache sessions;
    /** Checked when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password. */
    private final String decoyHash;

    public Accounts(
            Database db,
            PasswordHasher hasher,
            BearerTokens tokens,
            Journal journal,
            Duration sessionTtl,
            SessionCache sessions) {
        this.sessionTtl = sessionTtl;
        this.sessions = sessions;
        this.db = db;
        this.hasher = hasher;
        this.tokens = tokens;
        this.journal = journal;
        this.decoyHash = hasher.hash("decoy");
    }

    public static String normalise(String email) {
        return email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
    }

    /** Creates each account that does not exist yet; existing accounts (and their passwords) are left alone. */
    public void bootstrap(List<CoreConfig.Account> accounts) throws SQLException {
        for (CoreConfig.Account account : accounts) {
            String email = normalise(account.email());
            boolean created = db.inTransaction(c -> {
                if (find(c, email).isPresent()) {
                    return false;
                }
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO core.users (email, password_hash, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                    s.setString(1, email);
                    s.setString(2, hasher.hash(account.password()));
                    s.setString(3, Role.of(account.role()).dbName());
                    return s.executeUpdate() == 1;
                }
            });
            if (created) {
                LOG.info("created bootstrap account {} ({})", email, account.role());
                journal.system("account.bootstrapped", email, null, Map.of("role", account.role()));
            }
        }
    }

    /** A new session token for valid credentials of an enabled account, or empty; journaled either way. */
    public Optional<String> login(String email, String password, String ip) throws SQLException {
        record Row(long id, String hash, boolean disabled) {}
        String normalised = normalise(email);
        Optional<Row> row = db.inTransaction(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT id, password_hash, disabled FROM core.users WHERE email = ?")) {
                s.setString(1, normalised);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Row(rs.getLong(1), rs.getString(2), rs.getBoolean(3)))
                            : Optional.<Row>empty();
                }
            }
        });
        boolean matches = hasher.matches(password, row.map(Row::hash).orElse(decoyHash));
        if (row.isEmpty() || !matches || row.get().disabled()) {
            String reason = row.isEmpty() ? "unknown account" : !matches ? "wrong password" : "account disabled";
            journal.system("login.failed", normalised, ip, Map.of("reason", reason));
            return Optional.empty();
        }
        String token = tokens.issue();
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM core.sessions WHERE created_at <= now() - make_interval(secs => ?)")) {
                s.setLong(1, sessionTtl.toSeconds());
                s.executeUpdate();
            }
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO core.sessions (token_sha256, user_id) VALUES (?, ?)")) {
                s.setBytes(1, BearerTokens.sha256(token));
                s.setLong(2, row.get().id());
                return s.executeUpdate();
            }
        });
        journal.system("login", normalised, ip, Map.of());
        return Optional.of(token);
    }

    /** Journals a log-in refused by the throttle before its password was checked. */
    public void throttled(String email, String ip) throws SQLException {
        journal.system("login.failed", normalise(email), ip, Map.of("reason", "too many attempts"));
    }

    /** Ends the session of this token; the token is refused from the moment this returns. */
    public void logout(User user, String token, String ip) throws SQLException {
        byte[] hash = BearerTokens.sha256(token);
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM core.sessions WHERE token_sha256 = ?")) {
                s.setBytes(1, hash);
                return s.executeUpdate();
            }
        });
        sessions.forgetToken(hash);
        journal.system("logout", user.email(), ip, Map.of());
    }

    /**
     * The enabled account holding this session token, while the session is younger than the session TTL. Answered from
     * the {@link SessionCache} when it has the token, from the database otherwise.
     */
    public Optional<User> authenticate(String token) throws SQLException {
        byte[] hash = BearerTokens.sha256(token);
        Optional<User> cached = sessions.find(hash);
        if (cached.isPresent()) {
            return cached;
        }
        long generation = sessions.generation();
        record Found(User user, Duration left) {}
        Optional<Found> found = db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT u.id, u.email, u.role,"
                    + " (EXTRACT(EPOCH FROM s.created_at + make_interval(secs => ?) - now()) * 1000)::bigint"
                    + " FROM core.sessions s JOIN core.users u ON u.id = s.user_id"
                    + " WHERE s.token_sha256 = ? AND NOT u.disabled"
                    + " AND s.created_at > now() - make_interval(secs => ?)")) {
                s.setLong(1, sessionTtl.toSeconds());
                s.setBytes(2, hash);
                s.setLong(3, sessionTtl.toSeconds());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Found(user(rs), Duration.ofMillis(rs.getLong(4))))
                            : Optional.<Found>empty();
                }
            }
        });
        found.ifPresent(f -> sessions.remember(hash, f.user(), f.left(), generation));
        return found.map(Found::user);
    }

    public static Optional<User> find(Connection c, String email) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id, email, role FROM core.users WHERE email = ?")) {
            s.setString(1, normalise(email));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(user(rs)) : Optional.empty();
            }
        }
    }

    /** The enabled accounts with these e-mails; the caller compares sizes to find unknown ones. */
    public static List<User> findAll(Connection c, Collection<String> emails) throws SQLException {
        List<User> users = new ArrayList<>();
        for (String email : emails) {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT id, email, role FROM core.users WHERE email = ? AND NOT disabled")) {
                s.setString(1, normalise(email));
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        users.add(user(rs));
                    }
                }
            }
        }
        return users;
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), Role.of(rs.getString(3)));
    }
}
