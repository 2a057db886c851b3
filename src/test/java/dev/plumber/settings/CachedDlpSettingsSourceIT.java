package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.testkit.EtcdServer;
import dev.plumber.testkit.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CachedDlpSettingsSourceIT {
    private static final String DLP = "/vars/services/plumber/development/public/service/DLP/";

    @TempDir
    Path dir;

    @Test
    void startsFromTheCachedCopyWhileEtcdIsDown() throws Exception {
        Path cache = dir.resolve("dlp.cache");
        try (EtcdServer etcd = EtcdServer.launch()) {
            etcd.put(DLP + "system", "infowatch");
            etcd.put(DLP + "address", "tm.example:9101");
            etcd.put(DLP + "token", "s3cret");
            etcd.put(DLP + "company", "ACME");
            etcd.put(DLP + "imservice", "im_VKteams");
            GatewayConfig.Etcd config =
                    new GatewayConfig.Etcd(List.of(etcd.endpoint()), null, Duration.ofSeconds(2), null, null);
            try (var source = new CachedDlpSettingsSource(EtcdDlpSettingsSource.start(config), cache)) {
                Eventually.within(Duration.ofSeconds(20), () -> {
                    assertThat(Files.exists(cache)).isTrue();
                    return null;
                });
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)))
                    .isEqualTo("rw-------");
            etcd.stop();

            try (var source = new CachedDlpSettingsSource(EtcdDlpSettingsSource.start(config), cache)) {
                assertThat(source.current()).isPresent();
                assertThat(source.current().get().token()).isEqualTo("s3cret");
                assertThat(source.current().get().imservice()).isEqualTo("im_VKteams");
                assertThat(source.problem()).isNull();
            }
        }
    }

    @Test
    void keyValueLinesRoundTrip() throws Exception {
        DlpSettings settings = DlpSettings.fromMap(Map.of(
                "system",
                "icap",
                "address",
                "icaps://dlp:11344/request",
                "tlsVerify",
                "false",
                "userEncoding",
                "base64"));

        assertThat(DlpSettings.fromMap(FileDlpSettingsSource.parse(settings.toKeyValueLines())))
                .isEqualTo(settings);
    }
}
