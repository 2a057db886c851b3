package dev.plumber.infowatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PluginManifestTest {

    @Test
    void theBundledManifestIsValidAndNamesTheServiceAndTheFileHashHeader() throws Exception {
        PluginManifest manifest = PluginManifest.bundled();

        assertThat(manifest.serviceMnemos()).containsExactly("im_VKteams");
        assertThat(manifest.objectHeader()).isEqualTo("VKteams_file_hash_header");
        assertThat(manifest.pluginId()).isEqualTo("346227C2657C4701B86892CAE732805D");
    }

    @Test
    void theBundledManifestIsTheOneInTheRepository() throws Exception {
        assertThat(PluginManifest.bundled().text())
                .isEqualTo(Files.readString(Path.of("infowatch/manifest.json"), StandardCharsets.UTF_8));
        assertThat(PluginManifest.load(Path.of("infowatch/manifest.json")).objectHeader())
                .isEqualTo("VKteams_file_hash_header");
    }

    @Test
    void anImserviceThatIsNotThePluginsServiceIsAClearError() throws Exception {
        PluginManifest manifest = PluginManifest.bundled();

        assertThatThrownBy(() -> manifest.checkService("im_Other"))
                .hasMessageContaining("'imservice' is 'im_Other'")
                .hasMessageContaining("SERVICE_MNEMO im_VKteams");
    }

    @Test
    void aManifestWithoutTheFileHashHeaderIsRejected() throws Exception {
        String json = Files.readString(Path.of("infowatch/manifest.json"))
                .replace("\"DATA_CLASS\": [\"kChat\", \"kFileExchange\"],", "\"DATA_CLASS\": [\"kChat\"],");

        assertThatThrownBy(() -> PluginManifest.parse(json.getBytes(StandardCharsets.UTF_8), path -> true))
                .hasMessageContaining("OBJECT_HEADER needs an entry");
    }

    @Test
    void aMissingIconIsRejected() throws Exception {
        byte[] json = Files.readAllBytes(Path.of("infowatch/manifest.json"));

        assertThatThrownBy(() -> PluginManifest.parse(json, path -> false))
                .hasMessageContaining("ICON icon/acme_messenger.png is not in the plugin");
    }

    @Test
    void aBrokenPluginIdIsRejected() throws Exception {
        String json =
                Files.readString(Path.of("infowatch/manifest.json")).replace("346227C2657C4701B86892CAE732805D", "xyz");

        assertThatThrownBy(() -> PluginManifest.parse(json.getBytes(StandardCharsets.UTF_8), path -> true))
                .hasMessageContaining("PLUGIN_ID");
    }
}
