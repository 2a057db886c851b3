package dev.plumber.settings;

import java.util.Optional;

/**
 * Where the DLP settings in force come from (etcd, or a local file in the demo). A source fetches, validates and
 * publishes; an invalid change is rejected and the last valid settings stay.
 */
public interface DlpSettingsSource extends AutoCloseable {

    /** The settings in force, or empty while none valid has been read yet (the gateway is then not ready). */
    Optional<DlpSettings> current();

    /** Why there are no settings in force (or why the last change was rejected), for the health endpoint; or null. */
    String problem();

    /** How many changes were invalid and rejected since start (the last valid settings stayed). */
    default long rejectedChanges() {
        return 0;
    }

    @Override
    default void close() {}

    /** Settings that never change (tests, tools). */
    static DlpSettingsSource fixed(DlpSettings settings) {
        return new DlpSettingsSource() {
            @Override
            public Optional<DlpSettings> current() {
                return Optional.of(settings);
            }

            @Override
            public String problem() {
                return null;
            }
        };
    }
}
