package dev.plumber.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd settings with a copy on disk ({@code etcd.cacheFile}): every applied change is written there, and while etcd
 * has not answered since start the gateway runs on the cached copy instead of waiting. The copy holds the token, so
 * the file is written owner-only.
 */
public final class CachedDlpSettingsSource implements DlpSettingsSource {
    private static final Logger log = LoggerFactory.getLogger(CachedDlpSettingsSource.class);

    private final EtcdDlpSettingsSource etcd;
    private final Path file;
    private final DlpSettings cached;

    public CachedDlpSettingsSource(EtcdDlpSettingsSource etcd, Path file) {
        this.etcd = etcd;
        this.file = file;
        this.cached = readCache(file);
        etcd.addListener(this::write);
        etcd.current().ifPresent(this::write);
    }

    @Override
    public Optional<DlpSettings> current() {
        Optional<DlpSettings> live = etcd.current();
        return live.isPresent() ? live : Optional.ofNullable(cached);
    }

    @Override
    public String problem() {
        return etcd.current().isEmpty() && cached == null ? etcd.problem() : null;
    }

    @Override
    public long rejectedChanges() {
        return etcd.rejectedChanges();
    }

    @Override
    public void close() {
        etcd.close();
    }

    private static DlpSettings readCache(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            DlpSettings settings = FileDlpSettingsSource.read(file).current().orElseThrow();
            log.info("DLP settings cached in {} stand in until etcd answers: {}", file, settings.describe());
            return settings;
        } catch (InvalidSettingsException e) {
            log.warn("ignoring the settings cache: {}", e.getMessage());
            return null;
        }
    }

    private void write(DlpSettings settings) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(
                    tmp,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, settings.toKeyValueLines());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot write the settings cache {}: {}", file, e.toString());
        }
    }
}
