package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DlpSettingsTest {

    @Test
    void acceptsTheAddressAsTheSeedsEtcdctlCommandWritesIt() throws Exception {
        DlpSettings settings =
                DlpSettings.fromMap(Map.of("system", "icap", "address", "icap:\\/\\/90.239.107.151:1344/request"));

        assertThat(settings.system()).isEqualTo(DlpSystem.ICAP);
        assertThat(settings.address()).isEqualTo("icap://90.239.107.151:1344/request");
        assertThat(settings.icapUri().getPort()).isEqualTo(1344);
        assertThat(settings.requestUrl()).isEqualTo("http://vkteams/");
        assertThat(settings.tlsVerify()).isTrue();
    }

    @Test
    void requiresInfowatchCredentials() {
        assertThatThrownBy(() -> DlpSettings.fromMap(Map.of("system", "infowatch", "address", "tm:9101")))
                .hasMessageContaining("'token' is required");
    }

    @Test
    void masksTheTokenWhenDescribed() throws Exception {
        DlpSettings settings = DlpSettings.fromMap(Map.of(
                "system",
                "infowatch",
                "address",
                "tm:9101",
                "token",
                "s3cret",
                "company",
                "ACME",
                "imservice",
                "im_VKteams"));

        assertThat(settings.describe()).contains("token=****").doesNotContain("s3cret");
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void rejectsBadValuesWithTheKeyAndReason() {
        assertThatThrownBy(() -> DlpSettings.fromMap(Map.of("system", "foo", "address", "x")))
                .hasMessageContaining("'system' must be 'icap' or 'infowatch'");
        assertThatThrownBy(() -> DlpSettings.fromMap(Map.of("system", "icap", "address", "http://x:1344/")))
                .hasMessageContaining("icap:// or icaps://");
        assertThatThrownBy(
                        () -> DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://h/r", "colour", "red")))
                .hasMessageContaining("unknown DLP key 'colour'");
        assertThatThrownBy(() -> DlpSettings.fromMap(Map.of("address", "icap://h/r")))
                .hasMessageContaining("'system' is required");
    }

    @Test
    void readsTheDemoSettingsFileFormat() throws Exception {
        Map<String, String> values =
                FileDlpSettingsSource.parse("# comment\n\nsystem=icap\naddress = icap://127.0.0.1:1344/request\n");

        assertThat(values)
                .containsExactly(Map.entry("system", "icap"), Map.entry("address", "icap://127.0.0.1:1344/request"));
        assertThatThrownBy(() -> FileDlpSettingsSource.parse("system icap")).hasMessageContaining("line 1");
    }
}
