package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plumber.settings.GatewayConfig;
import dev.plumber.status.ContentCipher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** console.contentKeyFile and console.previousContentKeyFiles, from plumber.yml to the cipher. */
class ContentKeysConfigTest {

    @Test
    void theCurrentKeySealsAndThePreviousOnesStillOpen(@TempDir Path dir) throws Exception {
        Path old = dir.resolve("content-1.key");
        byte[] sealedBefore = ContentCipher.fromKeyFile(old, new SecureRandom()).seal("before", "e1");
        Path yml = Files.writeString(
                dir.resolve("plumber.yml"),
                "console:\n  contentKeyFile: " + dir.resolve("content-2.key") + "\n  previousContentKeyFiles: [" + old
                        + "]\n");

        ContentCipher cipher =
                ConsoleAssembly.contentCipher(GatewayConfig.load(yml, Map.of()).console());

        assertThat(cipher.keyIds()).hasSize(2);
        assertThat(cipher.open(sealedBefore, "e1")).isEqualTo("before");
        assertThat(Files.exists(dir.resolve("content-2.key"))).isTrue();
    }

    @Test
    void previousKeysComeFromTheEnvironmentAsACommaList(@TempDir Path dir) throws Exception {
        Path yml = Files.writeString(dir.resolve("plumber.yml"), "console: {contentKeyFile: /keys/now.key}\n");

        GatewayConfig config = GatewayConfig.load(
                yml, Map.of("PLUMBER_CONSOLE_PREVIOUSCONTENTKEYFILES", "/keys/2025.key,/keys/2024.key"));

        assertThat(config.console().previousContentKeyFiles()).containsExactly("/keys/2025.key", "/keys/2024.key");
    }

    @Test
    void previousKeysWithoutACurrentOneStopTheStart() {
        GatewayConfig.Console console = new GatewayConfig.Console(null, "", List.of("/keys/2025.key"), null);

        assertThatThrownBy(() -> ConsoleAssembly.contentCipher(console))
                .hasMessageContaining("console.previousContentKeyFiles is set but console.contentKeyFile is not");
    }
}
