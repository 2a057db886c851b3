package dev.plumber.core.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class BearerTokensTest {
    private final BearerTokens tokens = new BearerTokens(new SecureRandom());

    @Test
    void issuesDistinct256BitUrlSafeTokens() {
        String first = tokens.issue();
        String second = tokens.issue();

        assertThat(first).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void storesATokenAsItsSha256() {
        // FIPS 180-2 test vector: SHA-256("abc").
        assertThat(HexFormat.of().formatHex(BearerTokens.sha256("abc")))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
