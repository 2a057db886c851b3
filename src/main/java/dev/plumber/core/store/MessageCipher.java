package dev.plumber.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts what the core keeps at rest (message text, outbox events) with AES-256-GCM under a per-deployment key.
 * Stored form: version byte {@code 1}, a 12-byte random nonce, then ciphertext and the 16-byte tag. The associated
 * data binds a ciphertext to its row, so one row's text cannot be pasted into another.
 */
public final class MessageCipher {
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final SecureRandom random;

    public MessageCipher(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.random = random;
    }

    /**
     * Reads the base64 key in {@code keyFile}, or creates the file (owner-only) with a fresh random key on the first
     * start. Losing this file makes every stored message unreadable: back it up apart from the database.
     */
    public static MessageCipher fromKeyFile(Path keyFile, SecureRandom random) {
        try {
            if (!Files.exists(keyFile)) {
                createKeyFile(keyFile, random);
            }
            byte[] key = Base64.getDecoder().decode(Files.readString(keyFile).strip());
            return new MessageCipher(key, random);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the message key file " + keyFile, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "the message key file " + keyFile + " must hold 32 bytes in base64: " + e.getMessage(), e);
        }
    }

    private static void createKeyFile(Path keyFile, SecureRandom random) throws IOException {
        byte[] key = new byte[32];
        random.nextBytes(key);
        Path parent = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".core-key", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the directory's permissions protect the key.
            }
            Files.writeString(temp, Base64.getEncoder().encodeToString(key) + "\n", StandardOpenOption.WRITE);
            try {
                // Not ATOMIC_MOVE with replace: two cores starting together must not end up with two keys.
                Files.move(temp, keyFile);
            } catch (FileAlreadyExistsException e) {
                // Another process created it first; use that one.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public byte[] encrypt(byte[] plain, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
    }

    /** Decrypts what {@link #encrypt} produced with the same associated data; throws if it was altered. */
    public byte[] decrypt(byte[] stored, byte[] associatedData) {
        if (stored.length < 1 + NONCE_BYTES + TAG_BITS / 8 || stored[0] != VERSION) {
            throw new IllegalArgumentException("not a stored ciphertext of this version");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the stored ciphertext was altered or belongs to another key or row", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
    }
}
