package dev.plumber.cli;

import dev.plumber.settings.CachedDlpSettingsSource;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.settings.EtcdDlpSettingsSource;
import dev.plumber.settings.FileDlpSettingsSource;
import dev.plumber.settings.GatewayConfig;
import dev.plumber.settings.InvalidSettingsException;
import java.io.File;

/** Picks the DLP settings source SPEC §2 describes: etcd when endpoints are configured, else a local file. */
final class SettingsSources {
    private SettingsSources() {}

    static DlpSettingsSource open(GatewayConfig config, File settingsFile) throws InvalidSettingsException {
        if (config.etcd().enabled()) {
            if (settingsFile != null) {
                throw new InvalidSettingsException("--settings is for running without etcd, but etcd.endpoints is set");
            }
            EtcdDlpSettingsSource etcd = EtcdDlpSettingsSource.start(config.etcd());
            String cache = config.etcd().cacheFile();
            return cache.isBlank() ? etcd : new CachedDlpSettingsSource(etcd, java.nio.file.Path.of(cache));
        }
        return FileDlpSettingsSource.read(
                settingsFile == null ? Home.config("demo-dlp.settings") : settingsFile.toPath());
    }
}
