package dev.plumber.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

    @Test
    void createsTheNewestKeyOwnerOnlyAndReadsThePreviousOnes(@TempDir Path dir) throws Exception {
        Path old = dir.resolve("content-2025.key");
        Files.writeString(old, Base64.getEncoder().encodeToString(SealerTest.key(1)) + "\n");
        Path current = dir.resolve("keys/content-2026.key");

        KeyRing ring = KeyFiles.ring(current, List.of(old), new SecureRandom());
        KeyRing again = KeyFiles.ring(current, List.of(old), new SecureRandom());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(current)))
                .isEqualTo("rw-------");
        assertThat(ring.keys()).hasSize(2);
        assertThat(ring.keys().get(1).id())
                .isEqualTo(KeyRing.of(SealerTest.key(1)).newest().id());
        assertThat(again.describe()).isEqualTo(ring.describe());
    }

    @Test
    void aMissingOrMalformedPreviousKeyStopsTheStartWithItsFile(@TempDir Path dir) throws Exception {
        Path current = dir.resolve("content.key");
        Path missing = dir.resolve("gone.key");
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, Base64.getEncoder().encodeToString(new byte[16]));
        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "not base64!");

        assertThatThrownBy(() -> KeyFiles.ring(current, List.of(missing), new SecureRandom()))
                .hasMessage("the key file " + missing + " does not exist");
        assertThatThrownBy(() -> KeyFiles.ring(current, List.of(shortKey), new SecureRandom()))
                .hasMessage("the key file " + shortKey + " must hold 32 bytes in base64, not 16 bytes");
        assertThatThrownBy(() -> KeyFiles.ring(current, List.of(garbage), new SecureRandom()))
                .hasMessageStartingWith("the key file " + garbage + " must hold 32 bytes in base64");
    }
}
