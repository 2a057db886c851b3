package dev.plumber.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit keys of one purpose, newest first: the newest seals, every key opens. Each key has a 4-byte id, a keyed
 * hash of the key itself, so sealed bytes can name their key without revealing anything of it and without an id to
 * configure (or to get wrong) beside each key file.
 */
public final class KeyRing {
    /** One key and its id. The material stays inside this package. */
    public static final class Key {
        private final int id;
        private final byte[] material;

        /** HMACs to reuse: making one costs a provider look-up and a key set-up, more than hashing a word. */
        private final Queue<Mac> macs = new ConcurrentLinkedQueue<>();

        private Key(int id, byte[] material) {
            this.id = id;
            this.material = material;
        }

        public int id() {
            return id;
        }

        /** The id as 8 hex digits, as error messages and logs show it. */
        public String idHex() {
            return hex(id);
        }

        /** HMAC-SHA-256 of {@code data} under this key: keyed hashes (search terms) use it. */
        public byte[] hmacSha256(byte[] data) {
            Mac mac = macs.poll();
            if (mac == null) {
                mac = newMac();
            }
            byte[] hash = mac.doFinal(data); // doFinal leaves the HMAC ready for the next hash
            macs.offer(mac);
            return hash;
        }

        private Mac newMac() {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(material, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }

        byte[] material() {
            return material;
        }
    }

    private final List<Key> keys;

    private KeyRing(List<Key> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key ring holds at least one key");
        }
        this.keys = List.copyOf(keys);
    }

    /** A ring of {@code newestFirst}: the first seals, all open. Each key has 32 bytes. */
    public static KeyRing of(List<byte[]> newestFirst) {
        List<Key> keys = new ArrayList<>();
        for (byte[] material : newestFirst) {
            if (material.length != 32) {
                throw new IllegalArgumentException("a key has 32 bytes, not " + material.length);
            }
            keys.add(new Key(idOf(material), material.clone()));
        }
        return new KeyRing(keys);
    }

    /** A ring of one key. */
    public static KeyRing of(byte[] key) {
        return of(List.of(key));
    }

    /**
     * The ring of keys derived for one use ({@code label}) from each of these keys by HMAC-SHA-256, so one key file
     * can serve several purposes. A derived key keeps the id of the key it comes from: ids name key files.
     */
    public KeyRing derive(String label) {
        return new KeyRing(keys.stream()
                .map(k -> new Key(k.id(), k.hmacSha256(label.getBytes(StandardCharsets.UTF_8))))
                .toList());
    }

    /** The key that seals. */
    public Key newest() {
        return keys.getFirst();
    }

    /** Every key, newest first. */
    public List<Key> keys() {
        return keys;
    }

    public Optional<Key> find(int id) {
        return keys.stream().filter(k -> k.id() == id).findFirst();
    }

    /** The ids, newest first, for messages: {@code 1a2b3c4d, 5e6f7a8b}. */
    public String describe() {
        return keys.stream().map(Key::idHex).collect(Collectors.joining(", "));
    }

    static String hex(int id) {
        return HexFormat.of().toHexDigits(id);
    }

    private static int idOf(byte[] material) {
        byte[] hash = new Key(0, material).hmacSha256("plumber key id".getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(hash).getInt();
    }
}
