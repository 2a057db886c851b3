package dev.plumber.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals message text in the status store (SPEC §5: readable by auditors, not stored in plain text) with AES-256-GCM,
 * bound to its event id, and turns words into keyed hashes (HMAC-SHA-256) so a full-text search can match words
 * without storing them. Stored form: version byte {@code 1}, a 12-byte random nonce, ciphertext and tag. Both keys
 * derive from one 32-byte key file.
 */
public final class ContentCipher {
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Enough for a search term; shorter hashes keep the index small, and collisions only widen a search. */
    private static final int TERM_HEX_CHARS = 16;

    private static final int MAX_TERMS = 512;

    private final SecretKey sealKey;
    private final SecretKey termKey;
    private final SecureRandom random;

    public ContentCipher(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the content key has 32 bytes, not " + key.length);
        }
        this.sealKey = new SecretKeySpec(hmac(key, "plumber content seal"), "AES");
        this.termKey = new SecretKeySpec(hmac(key, "plumber content terms"), "HmacSHA256");
        this.random = random;
    }

    /**
     * Reads the base64 key in {@code keyFile}, or creates it (owner-only) with a fresh random key on the first start.
     * Losing the file makes the stored message texts unreadable: back it up apart from the database.
     */
    public static ContentCipher fromKeyFile(Path keyFile, SecureRandom random) {
        try {
            if (!Files.exists(keyFile)) {
                createKeyFile(keyFile, random);
            }
            return new ContentCipher(
                    Base64.getDecoder().decode(Files.readString(keyFile).strip()), random);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the content key file " + keyFile, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "the content key file " + keyFile + " must hold 32 bytes in base64: " + e.getMessage(), e);
        }
    }

    private static void createKeyFile(Path keyFile, SecureRandom random) throws IOException {
        byte[] key = new byte[32];
        random.nextBytes(key);
        Path parent = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".content-key", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the directory's permissions protect the key.
            }
            Files.writeString(temp, Base64.getEncoder().encodeToString(key) + "\n", StandardOpenOption.WRITE);
            try {
                // Not a replacing move: two gateways starting together must end up with one key.
                Files.move(temp, keyFile);
            } catch (FileAlreadyExistsException e) {
                // Another replica created it first; use that one.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public byte[] seal(String text, String eventId) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(eventId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
    }

    /** The text {@link #seal} sealed for this event id; throws if it was altered or moved to another row. */
    public String open(byte[] stored, String eventId) {
        if (stored.length < 1 + NONCE_BYTES + TAG_BITS / 8 || stored[0] != VERSION) {
            throw new IllegalArgumentException("not sealed content of this version");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            cipher.updateAAD(eventId.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("sealed content altered, or of another key or event", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
    }

    /** The keyed hashes of the distinct words of {@code text} (letters and digits, case-folded). */
    public List<String> terms(String text) {
        Set<String> terms = new LinkedHashSet<>();
        for (String word : words(text)) {
            terms.add(term(word));
            if (terms.size() == MAX_TERMS) {
                break;
            }
        }
        return List.copyOf(terms);
    }

    /** The words of a search, as {@link #terms} splits a text. */
    public static List<String> words(String text) {
        if (text == null) {
            return List.of();
        }
        return java.util.Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .filter(w -> !w.isEmpty())
                .toList();
    }

    public String term(String word) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(termKey);
            byte[] hash = mac.doFinal(word.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, TERM_HEX_CHARS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
