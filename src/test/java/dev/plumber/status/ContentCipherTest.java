package dev.plumber.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
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
        assertThat(cipher.term("secret")).hasSize(16).doesNotContain("secret");
        ContentCipher other = new ContentCipher(new byte[32].clone(), new SecureRandom());
        byte[] otherKey = new byte[32];
        otherKey[0] = 1;
        assertThat(new ContentCipher(otherKey, new SecureRandom()).term("secret"))
                .isNotEqualTo(cipher.term("secret"));
        assertThat(other.term("secret")).isEqualTo(cipher.term("secret"));
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
}
