package dev.plumber.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientAddressTest {
    @Test
    void usesThePeerAddressWithoutAProxy() {
        assertThat(ClientAddress.of("10.1.2.3", null)).isEqualTo("10.1.2.3");
    }

    @Test
    void believesTheLastForwardedHopFromALoopbackProxy() {
        assertThat(ClientAddress.of("127.0.0.1", "6.6.6.6, 10.0.0.7")).isEqualTo("10.0.0.7");
        assertThat(ClientAddress.of("0:0:0:0:0:0:0:1", "10.0.0.8")).isEqualTo("10.0.0.8");
    }

    @Test
    void ignoresForwardedForFromAnyOtherPeer() {
        assertThat(ClientAddress.of("10.1.2.3", "6.6.6.6")).isEqualTo("10.1.2.3");
    }
}
