package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.plumber.infowatch.PluginManifest;
import dev.plumber.mock.infowatch.MockCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DlpSettingsTest {
    @TempDir
    Path dir;

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

    @Test
    void rejectsARequestUrlTheSenderCouldNotUse() {
        assertThatThrownBy(() -> icap(Map.of("requestUrl", "http://vk teams/")))
                .hasMessageContaining("DLP key 'requestUrl' must be an absolute http:// or https:// URL")
                .hasMessageContaining("'http://vk teams/'");
        assertThatThrownBy(() -> icap(Map.of("requestUrl", ""))).hasMessageContaining("'requestUrl'");
        assertThatThrownBy(() -> icap(Map.of("requestUrl", "/relative"))).hasMessageContaining("'requestUrl'");
        assertThatThrownBy(() -> icap(Map.of("requestUrl", "ftp://vkteams/"))).hasMessageContaining("'requestUrl'");
    }

    @Test
    void acceptsAnHttpsRequestUrlWithAPort() throws Exception {
        assertThat(icap(Map.of("requestUrl", "https:\\/\\/dlp.corp:8443/check")).requestUrl())
                .isEqualTo("https://dlp.corp:8443/check");
    }

    @Test
    void rejectsAnIcapAddressWithAPortOutOfRange() {
        assertThatThrownBy(() -> DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://127.0.0.1:70000/r")))
                .hasMessage("DLP key 'address' has port 70000, outside 1-65535: 'icap://127.0.0.1:70000/r'");
        assertThatThrownBy(() -> DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://127.0.0.1:0/r")))
                .hasMessageContaining("port 0");
        assertThatThrownBy(() -> DlpSettings.fromMap(Map.of("system", "icap", "address", "icap://host:x/r")))
                .hasMessageContaining("no host or a bad port");
    }

    @Test
    void rejectsAnInfowatchAddressWithABadHostOrPort() {
        for (String address : new String[] {"tm:70000", "tm:0", "tm:", "tm", ":9101", "tm:+9101", "t m:9101"}) {
            assertThatThrownBy(() -> infowatch(Map.of("address", address)))
                    .as(address)
                    .hasMessageContaining("DLP key 'address'")
                    .hasMessageContaining("'" + address + "'");
        }
    }

    @Test
    void acceptsAnInfowatchAddressByNameOrIp() throws Exception {
        assertThat(infowatch(Map.of("address", "tm-1.corp.example:9101")).address())
                .isEqualTo("tm-1.corp.example:9101");
        assertThat(infowatch(Map.of("address", "[::1]:9101")).address()).isEqualTo("[::1]:9101");
    }

    @Test
    void rejectsACaFileThatIsMissingUnreadableOrNotPem() throws Exception {
        assertThatThrownBy(
                        () -> icap(Map.of("caFile", dir.resolve("missing.pem").toString())))
                .hasMessageContaining("DLP key 'caFile' names no file")
                .hasMessageContaining("missing.pem");
        Path text = Files.writeString(dir.resolve("notes.pem"), "not a certificate\n");
        assertThatThrownBy(() -> icap(Map.of("caFile", text.toString())))
                .hasMessageContaining("DLP key 'caFile' is not a PEM file of CA certificates");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> icap(Map.of("caFile", empty.toString())))
                .hasMessageContaining("DLP key 'caFile' holds no certificate");
        assertThatThrownBy(() -> icap(Map.of("caFile", dir.toString()))).hasMessageContaining("DLP key 'caFile'");
    }

    @Test
    void rejectsACaFilePathWithANulAsInvalidSettings() {
        // Path.of throws InvalidPathException, which escaped the rejection: no metric, no "rejected" line.
        assertThatThrownBy(() -> icap(Map.of("caFile", "/etc/ca\0.pem")))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("DLP key 'caFile' is not a file path: '/etc/ca\\0.pem'");
    }

    @Test
    void acceptsACaFileOfPemCertificates() throws Exception {
        Path ca = MockCertificate.generate(dir).caFile();

        assertThat(icap(Map.of("caFile", ca.toString())).caFile()).isEqualTo(ca);
    }

    @Test
    void rejectsAnImserviceThePluginManifestDoesNotDeclare() {
        assertThatThrownBy(() -> infowatch(Map.of("imservice", "im_Other")))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("DLP key 'imservice' is 'im_Other'")
                .hasMessageContaining("SERVICE_MNEMO im_VKteams");
    }

    /** The settings read the plugin's services themselves: they must find those the full manifest check finds. */
    @Test
    void rejectsAnImserviceWithTheMessageOfThePluginManifestCheck() throws Exception {
        PluginManifest manifest = PluginManifest.bundled();
        String expected =
                catchThrowable(() -> manifest.checkService("im_Other")).getMessage();

        assertThat(manifest.serviceMnemos()).isNotEmpty();
        for (String service : manifest.serviceMnemos()) {
            assertThat(infowatch(Map.of("imservice", service)).imservice()).isEqualTo(service);
        }
        assertThatThrownBy(() -> infowatch(Map.of("imservice", "im_Other"))).hasMessage(expected);
    }

    @Test
    void modeIsOnUnlessSwitchedOff() throws Exception {
        assertThat(icap(Map.of()).mode()).isEqualTo(DlpSettings.Mode.ON);
        DlpSettings off = icap(Map.of("mode", "off"));

        assertThat(off.mode()).isEqualTo(DlpSettings.Mode.OFF);
        assertThat(off.describe()).contains("mode=off");
        assertThatThrownBy(() -> icap(Map.of("mode", "OFF")))
                .hasMessage("DLP key 'mode' must be 'on' or 'off', not 'OFF'");
        assertThatThrownBy(() -> icap(Map.of("mode", ""))).hasMessageContaining("DLP key 'mode'");
    }

    @Test
    void maxFileSizeIsBytesOrWholeKibMibGib() throws Exception {
        assertThat(icap(Map.of()).maxFileSize()).isEmpty();
        assertThat(icap(Map.of("maxFileSize", "1000")).maxFileSize()).isEqualTo(OptionalLong.of(1000));
        assertThat(icap(Map.of("maxFileSize", "64KiB")).maxFileSize()).isEqualTo(OptionalLong.of(65_536));
        assertThat(icap(Map.of("maxFileSize", "100MiB")).maxFileSize()).isEqualTo(OptionalLong.of(104_857_600));
        assertThat(icap(Map.of("maxFileSize", "2GiB")).maxFileSize()).isEqualTo(OptionalLong.of(2_147_483_648L));
        for (String bad : new String[] {"", "0", "-1", "1.5GiB", "10MB", "10 MiB", "10mib", "9999999999999999999GiB"}) {
            assertThatThrownBy(() -> icap(Map.of("maxFileSize", bad)))
                    .as(bad)
                    .isInstanceOf(InvalidSettingsException.class)
                    .hasMessageContaining("DLP key 'maxFileSize' must be a number of bytes")
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void theCachedCopyKeepsTheExtraKeys() throws Exception {
        DlpSettings settings = icap(Map.of("mode", "off", "maxFileSize", "1MiB"));

        assertThat(DlpSettings.fromMap(FileDlpSettingsSource.parse(settings.toKeyValueLines())))
                .isEqualTo(settings);
    }

    private static DlpSettings icap(Map<String, String> extra) throws InvalidSettingsException {
        Map<String, String> values =
                new HashMap<>(Map.of("system", "icap", "address", "icap://127.0.0.1:1344/request"));
        values.putAll(extra);
        return DlpSettings.fromMap(values);
    }

    private static DlpSettings infowatch(Map<String, String> extra) throws InvalidSettingsException {
        Map<String, String> values = new HashMap<>(Map.of(
                "system", "infowatch",
                "address", "tm:9101",
                "token", "s3cret",
                "company", "ACME",
                "imservice", "im_VKteams"));
        values.putAll(extra);
        return DlpSettings.fromMap(values);
    }
}
