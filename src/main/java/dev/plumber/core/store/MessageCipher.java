package dev.plumber.core.store;

import dev.plumber.crypto.KeyFiles;
import dev.plumber.crypto.KeyRing;
import dev.plumber.crypto.Sealer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * Encrypts what the core keeps at rest (message text, outbox events) with AES-256-GCM under per-deployment keys (the
 * stored form is {@link Sealer}'s). The associated data binds a ciphertext to its row, so one row's text cannot be
 * pasted into another. The key file's key is used as it is (not derived), as it always was.
 */
public final class MessageCipher {
    private final Sealer sealer;

    public MessageCipher(byte[] key, SecureRandom random) {
        this(KeyRing.of(key), random);
    }

    /** The newest key of {@code ring} encrypts; every key decrypts. */
    public MessageCipher(KeyRing ring, SecureRandom random) {
        this.sealer = new Sealer(ring, random);
    }

    /**
     * Reads the base64 key in {@code keyFile}, or creates the file (owner-only) with a fresh random key on the first
     * start. Losing this file makes every stored message unreadable: back it up apart from the database.
     */
    public static MessageCipher fromKeyFile(Path keyFile, SecureRandom random) {
        return fromKeyFiles(keyFile, List.of(), random);
    }

    /** {@code keyFile} (created on the first start) encrypts; it and {@code previousKeyFiles} (must exist) decrypt. */
    public static MessageCipher fromKeyFiles(Path keyFile, List<Path> previousKeyFiles, SecureRandom random) {
        return new MessageCipher(KeyFiles.ring(keyFile, previousKeyFiles, random), random);
    }

    public byte[] encrypt(byte[] plain, byte[] associatedData) {
        return sealer.seal(plain, associatedData);
    }

    /** Decrypts what {@link #encrypt} produced with the same associated data; throws if it was altered. */
    public byte[] decrypt(byte[] stored, byte[] associatedData) {
        return sealer.open(stored, associatedData);
    }
}
