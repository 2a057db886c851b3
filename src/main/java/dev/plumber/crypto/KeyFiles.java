package dev.plumber.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Key files: one 32-byte key in base64 per file, owner-only. */
public final class KeyFiles {
    private KeyFiles() {}

    /**
     * The ring of {@code newest} (created with a fresh random key when it does not exist yet) and {@code older}
     * (which must exist: a key that opens old rows cannot be made up). Losing a key file makes what it sealed
     * unreadable: back key files up apart from the database.
     */
    public static KeyRing ring(Path newest, List<Path> older, SecureRandom random) {
        List<byte[]> keys = new ArrayList<>();
        keys.add(readOrCreate(newest, random));
        for (Path file : older) {
            keys.add(read(file));
        }
        return KeyRing.of(keys);
    }

    /** The key in {@code file}, created (owner-only) with a fresh random key if there is no such file yet. */
    public static byte[] readOrCreate(Path file, SecureRandom random) {
        try {
            if (!Files.exists(file)) {
                create(file, random);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the key file " + file, e);
        }
        return read(file);
    }

    /** The key in {@code file}, which must exist. */
    public static byte[] read(Path file) {
        String text;
        try {
            text = Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("the key file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key file " + file, e);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "the key file " + file + " must hold 32 bytes in base64: " + e.getMessage());
        }
        if (key.length != 32) {
            throw new IllegalStateException(
                    "the key file " + file + " must hold 32 bytes in base64, not " + key.length + " bytes");
        }
        return key;
    }

    private static void create(Path file, SecureRandom random) throws IOException {
        byte[] key = new byte[32];
        random.nextBytes(key);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".key", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the directory's permissions protect the key.
            }
            Files.writeString(temp, Base64.getEncoder().encodeToString(key) + "\n", StandardOpenOption.WRITE);
            try {
                // Not a replacing move: two processes starting together must end up with one key.
                Files.move(temp, file);
            } catch (FileAlreadyExistsException e) {
                // Another process created it first; use that one.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
