package dev.plumber.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.crypto.KeyRing;
import dev.plumber.testkit.LegacySealing;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentCipherTest {
    private final ContentCipher cipher = new ContentCipher(new byte[32], new SecureRandom());

    @Test
    void sealsAndOpensTextBoundToItsEvent() {
        byte[] sealed = cipher.seal("card 4111 1111 1111 1111", "event-1");

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("4111");
        assertThat(cipher.open(sealed, "event-1")).isEqualTo("card 4111 1111 1111 1111");
        assertThatThrownBy(() -> cipher.open(sealed, "event-2")).isInstanceOf(IllegalArgumentException.class);
        sealed[sealed.length - 1] ^= 1;
        assertThatThrownBy(() -> cipher.open(sealed, "event-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void termsAreKeyedHashesOfCaseFoldedWords() {
        assertThat(cipher.terms("Secret plan, SECRET plan! Привет"))
                .containsExactly(cipher.term("secret"), cipher.term("plan"), cipher.term("привет"));
        ContentCipher other = new ContentCipher(new byte[32].clone(), new SecureRandom());
        byte[] otherKey = new byte[32];
        otherKey[0] = 1;
        assertThat(new ContentCipher(otherKey, new SecureRandom()).term("secret"))
                .isNotEqualTo(cipher.term("secret"));
        assertThat(other.term("secret")).isEqualTo(cipher.term("secret"));
    }

    /** More words than the cache of recent terms holds share its slots: each still gets its own, uncached hash. */
    @Test
    void aWordsTermIsItsOwnAmongMoreWordsThanAreCached() {
        List<String> words = IntStream.range(0, 50_000).mapToObj(i -> "w" + i).toList();
        List<String> wrong = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (String word : words) {
                if (cipher.term(word) != cipher.searchTerms(word)[0]) {
                    wrong.add(word);
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(cipher.terms("W1 w2 w1")).containsExactly(cipher.term("w1"), cipher.term("w2"));
    }

    @Test
    void termsAreTheFirstFiveHundredTwelveDistinctWordsInTheOrderMet() {
        String text = IntStream.range(0, 600).mapToObj(i -> "w" + i + " W" + i).collect(Collectors.joining(" "));

        long[] terms = cipher.terms(text);

        assertThat(terms)
                .containsExactly(IntStream.range(0, 512)
                        .mapToLong(i -> cipher.term("w" + i))
                        .toArray());
        assertThat(cipher.terms("")).isEmpty();
        assertThat(cipher.terms(null)).isEmpty();
    }

    /** Rows written before the splitter lost its regex keep their terms: it splits every code point as the regex did. */
    @Test
    void splitsWordsAsTheLettersAndNumbersRegexDoes() {
        Pattern notAWord = Pattern.compile("[^\\p{L}\\p{N}]+");
        StringBuilder text = new StringBuilder();
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (!Character.isSurrogate((char) c) || c > Character.MAX_VALUE) {
                text.appendCodePoint(c);
            }
            if (c % 7 == 0) {
                text.append("A\u00bd9 ");
            }
        }
        String folded = text.toString().toLowerCase(Locale.ROOT);
        List<String> expected =
                Arrays.stream(notAWord.split(folded)).filter(w -> !w.isEmpty()).toList();

        assertThat(ContentCipher.words(text.toString())).isEqualTo(expected);
        assertThat(ContentCipher.words("  Ünïcode—text, 42x; Ⅻ²  ")).containsExactly("ünïcode", "text", "42x", "ⅻ²");
    }

    @Test
    void createsAnOwnerOnlyKeyFileOnceAndReadsItAfterwards(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("keys/content.key");

        ContentCipher first = ContentCipher.fromKeyFile(keyFile, new SecureRandom());
        byte[] sealed = first.seal("hello", "e");
        ContentCipher second = ContentCipher.fromKeyFile(keyFile, new SecureRandom());

        assertThat(second.open(sealed, "e")).isEqualTo("hello");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
    }

    @Test
    void opensTextsSealedTheOldWayAndKeepsTheirSearchTerms() throws Exception {
        byte[] key = new byte[32];
        key[0] = 7;
        // What the build before key rotation stored: version 1, no key id, under HMAC(key, "plumber content seal").
        byte[] legacy = LegacySealing.seal(
                hmac(key, "plumber content seal"), "old secret", "event-1".getBytes(StandardCharsets.UTF_8));
        byte[] legacyHash = hmac(hmac(key, "plumber content terms"), "secret");
        // Before migration V8 a term was the hash's first 16 hex digits; V8 reads them as a signed big-endian number.
        long legacyTerm = new BigInteger(HexFormat.of().formatHex(legacyHash, 0, 8), 16).longValue();
        byte[] newKey = new byte[32];
        newKey[0] = 8;
        ContentCipher rotated = new ContentCipher(KeyRing.of(List.of(newKey, key)), new SecureRandom());

        assertThat(new ContentCipher(key, new SecureRandom()).open(legacy, "event-1"))
                .isEqualTo("old secret");
        assertThat(new ContentCipher(key, new SecureRandom()).term("secret")).isEqualTo(legacyTerm);
        assertThat(rotated.open(legacy, "event-1")).isEqualTo("old secret");
        assertThat(rotated.searchTerms("Secret")).hasSize(2).contains(legacyTerm);
        assertThat(rotated.terms("secret")).containsExactly(rotated.searchTerms("secret")[0]);
        assertThat(rotated.term("secret")).isNotEqualTo(legacyTerm);
    }

    @Test
    void afterARotationTheNewKeySealsAndTheOldOneStillOpens(@TempDir Path dir) throws Exception {
        Path oldFile = dir.resolve("content-1.key");
        Path newFile = dir.resolve("content-2.key");
        ContentCipher before = ContentCipher.fromKeyFile(oldFile, new SecureRandom());
        byte[] sealedBefore = before.seal("before", "e1");

        ContentCipher after = ContentCipher.fromKeyFiles(newFile, List.of(oldFile), new SecureRandom());
        byte[] sealedAfter = after.seal("after", "e2");

        assertThat(after.keyIds())
                .hasSize(2)
                .element(1)
                .isEqualTo(before.keyIds().getFirst());
        assertThat(after.open(sealedBefore, "e1")).isEqualTo("before");
        assertThat(after.open(sealedAfter, "e2")).isEqualTo("after");
        assertThat(after.searchTerms("before")).containsExactly(after.term("before"), before.term("before"));
        // A replica still on the old key alone cannot read the new rows, and says which key it lacks.
        assertThatThrownBy(() -> before.open(sealedAfter, "e2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sealed with key " + after.keyIds().getFirst())
                .hasMessageContaining(
                        "not among the configured keys (" + before.keyIds().getFirst() + ")");
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
