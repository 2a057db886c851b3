package dev.plumber.crypto;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.testkit.LegacySealing;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SealerTest {
    private static final byte[] OLD = key(1);
    private static final byte[] NEW = key(2);
    private static final byte[] ROW = "message\u00001".getBytes(UTF_8);

    @Test
    void sealsWithTheNewestKeyAndNamesItInTheHeader() {
        KeyRing ring = KeyRing.of(List.of(NEW, OLD));
        byte[] sealed = new Sealer(ring, new SecureRandom()).seal("confidential".getBytes(UTF_8), ROW);

        assertThat(sealed[0]).isEqualTo((byte) 2);
        assertThat(ByteBuffer.wrap(sealed, 1, 4).getInt())
                .isEqualTo(ring.newest().id());
        assertThat(sealed).hasSize(1 + 4 + 12 + "confidential".length() + 16);
        assertThat(new String(sealed, UTF_8)).doesNotContain("confidential");
        assertThat(new Sealer(ring, new SecureRandom()).open(sealed, ROW)).isEqualTo("confidential".getBytes(UTF_8));
    }

    @Test
    void opensWhatTheOldKeySealedAfterARotation() {
        byte[] sealedBefore = new Sealer(KeyRing.of(OLD), new SecureRandom()).seal("before".getBytes(UTF_8), ROW);
        Sealer rotated = new Sealer(KeyRing.of(List.of(NEW, OLD)), new SecureRandom());
        byte[] sealedAfter = rotated.seal("after".getBytes(UTF_8), ROW);

        assertThat(rotated.open(sealedBefore, ROW)).isEqualTo("before".getBytes(UTF_8));
        assertThat(rotated.open(sealedAfter, ROW)).isEqualTo("after".getBytes(UTF_8));
        assertThatThrownBy(() -> new Sealer(KeyRing.of(OLD), new SecureRandom()).open(sealedAfter, ROW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealed with key " + KeyRing.of(NEW).newest().idHex()
                        + ", which is not among the configured keys ("
                        + KeyRing.of(OLD).describe() + ")");
    }

    @Test
    void opensVersionOneBytesWrittenBeforeKeysHadIds() throws Exception {
        byte[] legacy = LegacySealing.seal(OLD, "written by an older build", ROW);
        Sealer rotated = new Sealer(KeyRing.of(List.of(NEW, OLD)), new SecureRandom());

        assertThat(rotated.open(legacy, ROW)).isEqualTo("written by an older build".getBytes(UTF_8));
        assertThatThrownBy(() -> new Sealer(KeyRing.of(NEW), new SecureRandom()).open(legacy, ROW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 1")
                .hasMessageContaining(KeyRing.of(NEW).describe());
        assertThatThrownBy(() -> rotated.open(legacy, "message\u00002".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverSealsTwiceWithOneNonceAndStartsEachSealerAtItsOwnPlace() {
        KeyRing ring = KeyRing.of(List.of(NEW));
        Sealer sealer = new Sealer(ring, new SecureRandom());
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(nonces.add(nonce(sealer.seal("same text".getBytes(UTF_8), ROW))))
                    .isTrue();
        }
        String first = nonce(new Sealer(ring, new SecureRandom()).seal("same text".getBytes(UTF_8), ROW));
        assertThat(nonces).doesNotContain(first);
    }

    /** The nonce of version-2 sealed bytes, after the version byte and the key id. */
    private static String nonce(byte[] sealed) {
        return HexFormat.of().formatHex(sealed, 5, 17);
    }

    @Test
    void refusesAlteredBytesAnotherRowAndAForgedKeyId() {
        KeyRing ring = KeyRing.of(List.of(NEW, OLD));
        Sealer sealer = new Sealer(ring, new SecureRandom());
        byte[] sealed = sealer.seal("hello".getBytes(UTF_8), ROW);

        assertThatThrownBy(() -> sealer.open(sealed, "message\u00002".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("altered, or sealed for another row");
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;
        assertThatThrownBy(() -> sealer.open(altered, ROW)).isInstanceOf(IllegalArgumentException.class);
        // The header is authenticated: pointing the bytes at the other key of the ring fails too.
        byte[] forged = sealed.clone();
        ByteBuffer.wrap(forged).putInt(1, ring.keys().get(1).id());
        assertThatThrownBy(() -> sealer.open(forged, ROW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sealer.open(new byte[] {9, 1, 2}, ROW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not sealed bytes of a known version");
    }

    @Test
    void keyIdsDependOnTheKeyAloneAndSurviveDerivation() {
        KeyRing ring = KeyRing.of(List.of(NEW, OLD));

        assertThat(KeyRing.of(NEW.clone()).newest().id())
                .isEqualTo(ring.newest().id());
        assertThat(ring.keys().get(0).id()).isNotEqualTo(ring.keys().get(1).id());
        assertThat(ring.derive("purpose").keys())
                .extracting(KeyRing.Key::id)
                .containsExactly(ring.keys().get(0).id(), ring.keys().get(1).id());
        assertThatThrownBy(() -> KeyRing.of(new byte[16])).hasMessage("a key has 32 bytes, not 16");
    }

    static byte[] key(int seed) {
        byte[] key = new byte[32];
        key[0] = (byte) seed;
        return key;
    }
}
