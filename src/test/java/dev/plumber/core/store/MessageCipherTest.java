package dev.plumber.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.testkit.LegacySealing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageCipherTest {
    private final MessageCipher cipher = new MessageCipher(new byte[32], new SecureRandom());

    @Test
    void decryptsWhatItEncrypted() {
        byte[] sealed = cipher.encrypt("card 4111 1111 1111 1111".getBytes(UTF_8), "message\0".getBytes(UTF_8));

        assertThat(new String(cipher.decrypt(sealed, "message\0".getBytes(UTF_8)), UTF_8))
                .isEqualTo("card 4111 1111 1111 1111");
    }

    @Test
    void storesNoPlainTextAndANewNonceEachTime() {
        byte[] plain = "confidential".getBytes(UTF_8);
        byte[] first = cipher.encrypt(plain, new byte[0]);
        byte[] second = cipher.encrypt(plain, new byte[0]);

        assertThat(new String(first, UTF_8)).doesNotContain("confidential");
        assertThat(first).isNotEqualTo(second);
        assertThat(first).hasSize(1 + 4 + 12 + plain.length + 16); // version, key id, nonce, ciphertext, tag
    }

    @Test
    void refusesCiphertextMovedToAnotherRow() {
        byte[] sealed = cipher.encrypt("hello".getBytes(UTF_8), "message\u00001".getBytes(UTF_8));

        assertThatThrownBy(() -> cipher.decrypt(sealed, "message\u00002".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAlteredCiphertext() {
        byte[] sealed = cipher.encrypt("hello".getBytes(UTF_8), new byte[0]);
        sealed[sealed.length - 1] ^= 1;

        assertThatThrownBy(() -> cipher.decrypt(sealed, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void createsAnOwnerOnlyKeyFileOnceAndReusesIt(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("keys/core-message.key");
        byte[] sealed =
                MessageCipher.fromKeyFile(keyFile, new SecureRandom()).encrypt("x".getBytes(UTF_8), new byte[0]);
        String key = Files.readString(keyFile);

        MessageCipher again = MessageCipher.fromKeyFile(keyFile, new SecureRandom());

        assertThat(Files.readString(keyFile)).isEqualTo(key);
        assertThat(again.decrypt(sealed, new byte[0])).isEqualTo("x".getBytes(UTF_8));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
    }

    @Test
    void decryptsRowsWrittenBeforeKeyIdsAndAfterARotation(@TempDir Path dir) throws Exception {
        Path oldFile = dir.resolve("core-message-1.key");
        byte[] oldKey = Base64.getDecoder()
                .decode(Files.readString(writeKey(oldFile, 3)).strip());
        byte[] legacy = LegacySealing.seal(oldKey, "from an older build", "message\u00001".getBytes(UTF_8));
        byte[] sealedBefore =
                MessageCipher.fromKeyFile(oldFile, new SecureRandom()).encrypt("before".getBytes(UTF_8), new byte[0]);

        MessageCipher rotated =
                MessageCipher.fromKeyFiles(dir.resolve("core-message-2.key"), List.of(oldFile), new SecureRandom());

        assertThat(rotated.decrypt(legacy, "message\u00001".getBytes(UTF_8)))
                .isEqualTo("from an older build".getBytes(UTF_8));
        assertThat(rotated.decrypt(sealedBefore, new byte[0])).isEqualTo("before".getBytes(UTF_8));
        byte[] sealedAfter = rotated.encrypt("after".getBytes(UTF_8), new byte[0]);
        assertThatThrownBy(() ->
                        MessageCipher.fromKeyFile(oldFile, new SecureRandom()).decrypt(sealedAfter, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not among the configured keys");
    }

    private static Path writeKey(Path file, int seed) throws Exception {
        byte[] key = new byte[32];
        key[0] = (byte) seed;
        return Files.writeString(file, Base64.getEncoder().encodeToString(key));
    }
}
