package dev.plumber.core.files;

import dev.plumber.core.RequestRefused;
import dev.plumber.core.events.DlpEvents;
import dev.plumber.core.store.Database;
import dev.plumber.core.users.User;
import dev.plumber.event.FileEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Content-addressed file storage: {@code dir/<sha256>} on disk (one copy per distinct content), metadata and
 * uploaders in the database, and a DLP file event per upload.
 */
public final class FileStore {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_NAME = 255;

    private final Database db;
    private final DlpEvents events;
    private final Path dir;
    private final Path incoming;
    private final long maxSize;
    private final Clock clock;
    private final boolean hideBlocked;

    public FileStore(Database db, DlpEvents events, Path dir, long maxSize, Clock clock, boolean hideBlocked)
            throws IOException {
        this.hideBlocked = hideBlocked;
        this.db = db;
        this.events = events;
        this.dir = dir.toAbsolutePath();
        this.incoming = this.dir.resolve(".incoming");
        this.maxSize = maxSize;
        this.clock = clock;
        Files.createDirectories(incoming);
    }

    /** The directory uploads are buffered in before they are hashed (on the same file system as the store). */
    public Path incomingDir() {
        return incoming;
    }

    /**
     * Streams {@code content} to a temporary file while hashing it, then records the upload and its event in one
     * transaction; if the event cannot be produced synchronously, a file this upload added is removed again.
     */
    public StoredFile upload(User uploader, String filename, String mime, InputStream content, String ip)
            throws IOException, SQLException {
        String name = cleanName(filename);
        String type = mime == null || mime.isBlank() ? "application/octet-stream" : mime.strip();
        Path temp = Files.createTempFile(incoming, "upload", ".part");
        try {
            MessageDigest sha256 = sha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = content.read(buffer)) != -1; ) {
                    size += n;
                    if (size > maxSize) {
                        throw new RequestRefused(
                                RequestRefused.Reason.TOO_LARGE, "the file is larger than " + maxSize + " bytes");
                    }
                    sha256.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            String hash = HexFormat.of().formatHex(sha256.digest());
            long length = size;
            db.inTransaction(c -> record(c, uploader, hash, name, length, type, temp, ip));
            events.committed();
            return new StoredFile(hash, name, size, type);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private Void record(
            Connection c, User uploader, String hash, String name, long size, String mime, Path temp, String ip)
            throws SQLException {
        boolean added;
        try (PreparedStatement s = c.prepareStatement("INSERT INTO core.files (hash, name, size, mime, uploader)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING")) {
            s.setString(1, hash);
            s.setString(2, name);
            s.setLong(3, size);
            s.setString(4, mime);
            s.setLong(5, uploader.id());
            added = s.executeUpdate() == 1;
        }
        Path target = path(hash);
        try {
            if (added || !Files.exists(target)) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot store file " + hash, e);
        }
        // The uploader's own name and type; uploading the same content again renames it for them.
        try (PreparedStatement s = c.prepareStatement("INSERT INTO core.file_uploads (hash, user_id, name, mime)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (hash, user_id) DO UPDATE SET name = excluded.name,"
                + " mime = excluded.mime")) {
            s.setString(1, hash);
            s.setLong(2, uploader.id());
            s.setString(3, name);
            s.setString(4, mime);
            s.executeUpdate();
        }
        try {
            events.file(
                    c, new FileEvent(UUID.randomUUID(), hash, name, size, mime, uploader.email(), ip, clock.instant()));
        } catch (RuntimeException e) {
            // Removed while this transaction still holds the new row, so a concurrent upload of the same
            // content waits for our rollback and then stores its own copy.
            if (added) {
                try {
                    Files.deleteIfExists(target);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return null;
    }

    /**
     * The file's metadata when {@code hash} is known, named as {@code reader} knows it: their own upload's name and
     * type, else those of the sender's upload in the latest message of a chat of theirs that carries it, else a
     * neutral name. Another uploader's name is never shown. {@code reader} null (the gateway): the first upload's.
     */
    public Optional<StoredFile> find(String hash, User reader) throws SQLException {
        if (hash == null || !HASH.matcher(hash).matches()) {
            return Optional.empty();
        }
        return db.inTransaction(c -> {
            StoredFile first;
            try (PreparedStatement s =
                    c.prepareStatement("SELECT hash, name, size, mime FROM core.files WHERE hash = ?")) {
                s.setString(1, hash);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<StoredFile>empty();
                    }
                    first = new StoredFile(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4));
                }
            }
            if (reader == null) {
                return Optional.of(first);
            }
            try (PreparedStatement s = c.prepareStatement("SELECT name, mime FROM ("
                    + " SELECT name, mime, 0 AS rank, 0 AS mid FROM core.file_uploads WHERE hash = ? AND user_id = ?"
                    + " UNION ALL SELECT u.name, u.mime, 1, m.mid FROM core.messages m"
                    + "  JOIN core.chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = ?"
                    + "  JOIN core.file_uploads u ON u.hash = m.hash AND u.user_id = m.sender_id"
                    + "  WHERE m.hash = ?) named ORDER BY rank, mid DESC LIMIT 1")) {
                s.setString(1, hash);
                s.setLong(2, reader.id());
                s.setLong(3, reader.id());
                s.setString(4, hash);
                try (ResultSet rs = s.executeQuery()) {
                    return Optional.of(
                            rs.next()
                                    ? new StoredFile(hash, rs.getString(1), first.size(), rs.getString(2))
                                    : new StoredFile(hash, "file", first.size(), "application/octet-stream"));
                }
            }
        });
    }

    /**
     * Uploaders may always download a file; members of chats it was posted in may too, unless the gateway reported
     * it BLOCKED and blocked content is hidden.
     */
    public boolean downloadableBy(String hash, User user) throws SQLException {
        return db.inTransaction(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT EXISTS (SELECT 1 FROM core.file_uploads WHERE hash = ? AND user_id = ?),"
                            + " EXISTS (SELECT 1 FROM core.dlp_checks WHERE hash = ? AND status = 'BLOCKED')")) {
                s.setString(1, hash);
                s.setLong(2, user.id());
                s.setString(3, hash);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return true;
                    }
                    if (hideBlocked && rs.getBoolean(2)) {
                        return false;
                    }
                }
            }
            return readableBy(c, hash, user);
        });
    }

    /** Its uploaders and the members of every chat it was posted in may read a file. */
    public static boolean readableBy(Connection c, String hash, User user) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT EXISTS (SELECT 1 FROM core.file_uploads WHERE hash = ? AND user_id = ?)"
                        + " OR EXISTS (SELECT 1 FROM core.messages m JOIN core.chat_members cm ON cm.chat_id = m.chat_id"
                        + " WHERE m.hash = ? AND cm.user_id = ?)")) {
            s.setString(1, hash);
            s.setLong(2, user.id());
            s.setString(3, hash);
            s.setLong(4, user.id());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Where the bytes of a known file live. */
    public Path path(String hash) {
        if (!HASH.matcher(hash).matches()) {
            throw new IllegalArgumentException("not a SHA-256 hex hash: " + hash);
        }
        return dir.resolve(hash);
    }

    private static String cleanName(String filename) {
        String name = filename == null ? "" : filename;
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        name = name.replaceAll("\\p{Cntrl}", "").strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            name = "file";
        }
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
