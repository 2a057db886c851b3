package dev.plumber.status;

import dev.plumber.crypto.KeyFiles;
import dev.plumber.crypto.KeyRing;
import dev.plumber.crypto.Sealer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Seals message text in the status store (SPEC §5: readable by auditors, not stored in plain text) with AES-256-GCM,
 * bound to its event id, and turns words into keyed hashes (HMAC-SHA-256) so a full-text search can match words
 * without storing them. Both keys derive from each key file of the ring ({@link Sealer} gives the stored form).
 *
 * <p>Rotation: the newest key seals and hashes the words of new rows; every key of the ring opens. Term hashes rotate
 * with it rather than staying on the first key forever — a leaked old key then exposes only the words of the rows it
 * sealed — so a search looks for each word's hash under every key ({@link #searchTerms}). Retiring a key file from
 * the ring leaves its rows unreadable and unsearchable together.
 */
public final class ContentCipher {
    private static final int MAX_TERMS = 512;

    private static final VarHandle FIRST_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * The terms of words met lately, under the newest key: a chat's words repeat, and each HMAC takes four SHA-256
     * blocks. A slot per word's hash, the last word to land there kept; the heap then holds up to this many recent
     * words, beside the key that would hash any of them.
     */
    private static final int CACHED_TERMS = 1 << 14;

    private final Sealer sealer;
    private final KeyRing termKeys;

    /** Written and read without locks: an entry is immutable, and a slot read stale only costs a hash. */
    private final CachedTerm[] cachedTerms = new CachedTerm[CACHED_TERMS];

    private record CachedTerm(String word, long term) {}

    /** A cipher with one key (32 bytes). */
    public ContentCipher(byte[] key, SecureRandom random) {
        this(KeyRing.of(key), random);
    }

    /** A cipher with the keys of {@code ring} (as read from the key files): the newest seals, all open. */
    public ContentCipher(KeyRing ring, SecureRandom random) {
        this.sealer = new Sealer(ring.derive("plumber content seal"), random);
        this.termKeys = ring.derive("plumber content terms");
    }

    /**
     * Reads the base64 key in {@code keyFile}, or creates it (owner-only) with a fresh random key on the first start.
     * Losing the file makes the stored message texts unreadable: back it up apart from the database.
     */
    public static ContentCipher fromKeyFile(Path keyFile, SecureRandom random) {
        return fromKeyFiles(keyFile, List.of(), random);
    }

    /**
     * The key in {@code keyFile} (created on the first start) seals; it and the keys in {@code previousKeyFiles}
     * (which must exist) open.
     */
    public static ContentCipher fromKeyFiles(Path keyFile, List<Path> previousKeyFiles, SecureRandom random) {
        return new ContentCipher(KeyFiles.ring(keyFile, previousKeyFiles, random), random);
    }

    /** The ids of the ring's keys (8 hex digits), newest first, for logs: never the keys. */
    public List<String> keyIds() {
        return termKeys.keys().stream().map(KeyRing.Key::idHex).toList();
    }

    public byte[] seal(String text, String eventId) {
        return sealer.seal(text.getBytes(StandardCharsets.UTF_8), eventId.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The text {@link #seal} sealed for this event id, under any key of the ring.
     *
     * @throws IllegalArgumentException if it was altered, moved to another row, or sealed with a key not in the ring
     */
    public String open(byte[] stored, String eventId) {
        return new String(sealer.open(stored, eventId.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /**
     * The keyed hashes (under the newest key) of the distinct words of {@code text} (letters and digits, folded), up to
     * {@value #MAX_TERMS}.
     */
    public long[] terms(String text) {
        List<String> words = words(text);
        long[] terms = new long[Math.min(words.size(), MAX_TERMS)];
        Set<String> seen = HashSet.newHashSet(terms.length);
        int count = 0;
        for (int i = 0; i < words.size() && count < terms.length; i++) {
            String word = words.get(i);
            if (seen.add(word)) {
                terms[count++] = newestTerm(word);
            }
        }
        return count == terms.length ? terms : Arrays.copyOf(terms, count);
    }

    /**
     * The words of a search, as {@link #terms} splits a text: the runs of letters and digits (Unicode's categories L
     * and N), lower-cased.
     */
    public static List<String> words(String text) {
        if (text == null) {
            return List.of();
        }
        String folded = text.toLowerCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < folded.length(); ) {
            int c = folded.codePointAt(i);
            boolean inWord = Character.isLetter(c) || isNumber(c);
            if (inWord && start < 0) {
                start = i;
            } else if (!inWord && start >= 0) {
                words.add(folded.substring(start, i));
                start = -1;
            }
            i += Character.charCount(c);
        }
        if (start >= 0) {
            words.add(folded.substring(start));
        }
        return words;
    }

    private static boolean isNumber(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** The hash of {@code word} as {@link #terms} stores it for a new row (newest key). */
    public long term(String word) {
        return newestTerm(word.toLowerCase(Locale.ROOT));
    }

    /** {@link #term} of a word already folded, from the cache when it holds the word. */
    private long newestTerm(String folded) {
        int h = folded.hashCode();
        int slot = (h ^ (h >>> 16)) & (CACHED_TERMS - 1);
        CachedTerm cached = cachedTerms[slot];
        if (cached != null && cached.word().equals(folded)) {
            return cached.term();
        }
        long term = term(termKeys.keys().getFirst(), folded);
        cachedTerms[slot] = new CachedTerm(folded, term);
        return term;
    }

    /** The hashes {@code word} may be stored under in any row: one per key of the ring, newest first. */
    public long[] searchTerms(String word) {
        String folded = word.toLowerCase(Locale.ROOT);
        return termKeys.keys().stream()
                .mapToLong(k -> term(k, folded))
                .distinct()
                .toArray();
    }

    /**
     * The hash of a word already folded, under {@code key}: the HMAC's first 64 bits, big-endian — enough for a search
     * term, and collisions only widen a search. Rows written before migration V8 held the same bits in hex.
     */
    private static long term(KeyRing.Key key, String folded) {
        return (long) FIRST_LONG.get(key.hmacSha256(folded.getBytes(StandardCharsets.UTF_8)), 0);
    }
}
