package dev.plumber.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM under a {@link KeyRing}, with associated data binding sealed bytes to their row. Sealed form: version
 * byte {@code 2}, the 4-byte id of the key, a 12-byte nonce, then the ciphertext and the 16-byte tag; the
 * version and key id are authenticated with the associated data. Bytes of version {@code 1} (no key id: nonce,
 * ciphertext, tag), written before keys could rotate, are still opened, by each key of the ring in turn.
 */
public final class Sealer {
    private static final byte LEGACY = 1;
    private static final byte VERSION = 2;
    private static final int ID_BYTES = 4;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BYTES = 16;
    private static final int HEADER = 1 + ID_BYTES;

    private final KeyRing ring;
    /**
     * Nonces count up from a random 96-bit start drawn once per sealer: this sealer never repeats one, and two sealers
     * of the same key (replicas, restarts) repeat one only if their ranges overlap, less likely than two random nonces
     * meeting. A draw from the DRBG for every text was 0.8-2.3 % of the gateway's CPU samples on small messages.
     */
    private final int nonceHigh;

    private final AtomicLong nonceLow;
    /** Ciphers to reuse: looking one up costs more than the AES-GCM of a chat line. */
    private final Queue<Cipher> ciphers = new ConcurrentLinkedQueue<>();

    public Sealer(KeyRing ring, SecureRandom random) {
        this.ring = ring;
        ByteBuffer start = ByteBuffer.allocate(NONCE_BYTES);
        random.nextBytes(start.array());
        this.nonceHigh = start.getInt();
        this.nonceLow = new AtomicLong(start.getLong());
    }

    /**
     * A source of nonces and keys that stays inside the JVM: the JDK's DRBG, seeded by the system. The default on Linux
     * (NativePRNG) reads {@code /dev/urandom} for every nonce, a system call under a lock per sealed text.
     */
    public static SecureRandom random() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("DRBG is part of every JDK", e);
        }
    }

    public byte[] seal(byte[] plain, byte[] associatedData) {
        KeyRing.Key key = ring.newest();
        byte[] nonce = ByteBuffer.allocate(NONCE_BYTES)
                .putInt(nonceHigh)
                .putLong(nonceLow.getAndIncrement())
                .array();
        byte[] header =
                ByteBuffer.allocate(HEADER).put(VERSION).putInt(key.id()).array();
        Cipher cipher = cipher();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, aes(key), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(header);
            cipher.updateAAD(associatedData);
            byte[] sealed = cipher.doFinal(plain);
            ciphers.offer(cipher);
            return ByteBuffer.allocate(HEADER + NONCE_BYTES + sealed.length)
                    .put(header)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
    }

    /** A cipher of the pool, or a new one; given back only after a successful use. */
    private Cipher cipher() {
        Cipher cipher = ciphers.poll();
        if (cipher != null) {
            return cipher;
        }
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
    }

    /**
     * What {@link #seal} sealed with this associated data, under any key of the ring.
     *
     * @throws IllegalArgumentException when the bytes are not sealed content, name a key the ring does not hold, or
     *     were altered or sealed for another row
     */
    public byte[] open(byte[] stored, byte[] associatedData) {
        if (stored.length >= HEADER + NONCE_BYTES + TAG_BYTES && stored[0] == VERSION) {
            int id = ByteBuffer.wrap(stored, 1, ID_BYTES).getInt();
            KeyRing.Key key = ring.find(id)
                    .orElseThrow(() -> new IllegalArgumentException("sealed with key " + KeyRing.hex(id)
                            + ", which is not among the configured keys (" + ring.describe() + ")"));
            try {
                return decrypt(key, stored, true, associatedData);
            } catch (AEADBadTagException e) {
                throw new IllegalArgumentException(
                        "sealed bytes altered, or sealed for another row (key " + key.idHex() + ")", e);
            }
        }
        if (stored.length >= 1 + NONCE_BYTES + TAG_BYTES && stored[0] == LEGACY) {
            for (KeyRing.Key key : ring.keys()) {
                try {
                    return decrypt(key, stored, false, associatedData);
                } catch (AEADBadTagException wrongKeyOrAltered) {
                    // Version 1 names no key: try the next one.
                }
            }
            throw new IllegalArgumentException("sealed bytes (version 1, no key id) altered, sealed for another row, or"
                    + " sealed with a key that is not among the configured keys (" + ring.describe() + ")");
        }
        throw new IllegalArgumentException("not sealed bytes of a known version");
    }

    private static byte[] decrypt(KeyRing.Key key, byte[] stored, boolean withHeader, byte[] associatedData)
            throws AEADBadTagException {
        int nonceAt = withHeader ? HEADER : 1;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(
                    Cipher.DECRYPT_MODE, aes(key), new GCMParameterSpec(TAG_BYTES * 8, stored, nonceAt, NONCE_BYTES));
            if (withHeader) {
                cipher.updateAAD(stored, 0, HEADER);
            }
            cipher.updateAAD(associatedData);
            int body = nonceAt + NONCE_BYTES;
            return cipher.doFinal(stored, body, stored.length - body);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
    }

    private static SecretKeySpec aes(KeyRing.Key key) {
        return new SecretKeySpec(key.material(), "AES");
    }
}
