package dev.plumber.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.settings.InvalidSettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoreConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("core.yml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void bindsTheSeedFlagsUnderTheSeedNames() throws Exception {
        CoreConfig config = CoreConfig.load(
                write(
                        """
                        gbld:
                          check_dlp: true
                          check_dlp_sync: true
                        DLP:
                          isActive: false
                          syncSend: true
                        resortClient:
                          timeout: "3s"
                        """),
                Map.of());

        assertThat(config.gbld().checkDlp()).isTrue();
        assertThat(config.gbld().checkDlpSync()).isTrue();
        assertThat(config.dlp().isActive()).isFalse();
        assertThat(config.dlp().syncSend()).isTrue();
        assertThat(config.resortClient().timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void theReferenceFileHoldsExactlyTheDefaults() throws Exception {
        CoreConfig reference = CoreConfig.load(Path.of("config/core.yml"), Map.of());

        assertThat(reference).isEqualTo(CoreConfig.builder().build());
        assertThat(reference.http().port()).isEqualTo(8080);
        assertThat(reference.kafka().topics().requests()).isEqualTo("dlp.requests");
        assertThat(reference.resortClient().timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void environmentOverridesTheFlags() throws Exception {
        CoreConfig config = CoreConfig.load(
                write("gbld: {check_dlp_sync: false}\n"),
                Map.of(
                        "PLUMBER_GBLD_CHECK_DLP_SYNC", "true",
                        "PLUMBER_DLP_ISACTIVE", "false",
                        "PLUMBER_RESORTCLIENT_TIMEOUT", "500ms",
                        "PLUMBER_KAFKA_BOOTSTRAPSERVERS", "kafka:9092",
                        "PLUMBER_FILES_DIR", "/var/lib/core/files"));

        assertThat(config.gbld().checkDlpSync()).isTrue();
        assertThat(config.dlp().isActive()).isFalse();
        assertThat(config.resortClient().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.files().dir()).isEqualTo(Path.of("/var/lib/core/files"));
    }

    @Test
    void bindsTheKeysOfEarlierRotations() throws Exception {
        CoreConfig config = CoreConfig.load(
                write("store: {keyFile: keys/new.key, previousKeyFiles: [keys/old.key, keys/older.key]}\n"), Map.of());

        assertThat(config.store().keyFile()).isEqualTo(Path.of("keys/new.key"));
        assertThat(config.store().previousKeyFiles())
                .containsExactly(Path.of("keys/old.key"), Path.of("keys/older.key"));
    }

    @Test
    void bindsBootstrapAccountsWithTheirRoles() throws Exception {
        CoreConfig config = CoreConfig.load(
                write(
                        """
                        users:
                          bootstrap:
                            - {email: alice@demo.local, password: demo, role: user}
                            - {email: auditor@demo.local, password: demo, role: auditor}
                        """),
                Map.of());

        assertThat(config.users().bootstrap())
                .containsExactly(
                        new CoreConfig.Account("alice@demo.local", "demo", "user"),
                        new CoreConfig.Account("auditor@demo.local", "demo", "auditor"));
    }

    @Test
    void neverPrintsABootstrapPassword() {
        assertThat(new CoreConfig.Account("alice@demo.local", "s3cret", "user").toString())
                .contains("alice@demo.local")
                .doesNotContain("s3cret");
    }

    @Test
    void rejectsAnUnknownRole() throws Exception {
        Path file = write("users: {bootstrap: [{email: a@b, password: x, role: root}]}\n");

        assertThatThrownBy(() -> CoreConfig.load(file, Map.of()))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("root");
    }

    @Test
    void rejectsAMisspelledFlag() throws Exception {
        Path file = write("gbld: {check_dlp_synch: true}\n");

        assertThatThrownBy(() -> CoreConfig.load(file, Map.of()))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("check_dlp_synch");
    }
}
