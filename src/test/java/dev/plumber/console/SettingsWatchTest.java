package dev.plumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsWatchTest {
    private final MutableSource source = new MutableSource();
    private final List<Journals.Entry> journaled = new ArrayList<>();
    private final SettingsWatch watch = new SettingsWatch(source, journaled::add, "gw-1", Clock.systemUTC());

    @Test
    void journalsSettingsTakingEffectAndChangesRejectedOnceEach() throws Exception {
        source.current = settings("icap://dlp-a:1344/request");
        watch.check();
        watch.check();
        source.problem = "address: not a URI";
        watch.check();
        watch.check();
        source.problem = null;
        source.current = settings("icap://dlp-b:1344/request");
        watch.check();

        assertThat(journaled)
                .extracting(Journals.Entry::action, Journals.Entry::details)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "settings.applied", "system=icap address=icap://dlp-a:1344/request"),
                        org.assertj.core.groups.Tuple.tuple("settings.rejected", "address: not a URI"),
                        org.assertj.core.groups.Tuple.tuple(
                                "settings.applied", "system=icap address=icap://dlp-b:1344/request"));
        assertThat(journaled).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("gateway");
            assertThat(e.target()).isEqualTo("gw-1");
        });
    }

    @Test
    void nothingIsJournaledWhileThereAreNoSettings() throws Exception {
        watch.check();
        assertThat(journaled).isEmpty();
    }

    private static DlpSettings settings(String address) throws Exception {
        return DlpSettings.fromMap(Map.of("system", "icap", "address", address));
    }

    private static final class MutableSource implements DlpSettingsSource {
        DlpSettings current;
        String problem;

        @Override
        public Optional<DlpSettings> current() {
            return Optional.ofNullable(current);
        }

        @Override
        public String problem() {
            return problem;
        }
    }
}
