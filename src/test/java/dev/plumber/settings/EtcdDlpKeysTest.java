package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdDlpKeysTest {

    @Test
    void foldersFollowTheManualsLayout() {
        assertThat(EtcdDlpKeys.folder("development"))
                .isEqualTo("/vars/services/plumber/development/public/service/DLP/");
    }

    @Test
    void laterPrefixesOverrideEarlierOnesKeyByKey() {
        Map<String, String> etcd = new LinkedHashMap<>();
        etcd.put("/vars/services/plumber/prod/public/service/DLP/address", "icap://override:1344/request");
        etcd.put("/vars/services/plumber/base/public/service/DLP/system", "icap");
        etcd.put("/vars/services/plumber/base/public/service/DLP/address", "icap://base:1344/request");

        assertThat(EtcdDlpKeys.merge(List.of("base", "prod"), etcd))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("system", "icap", "address", "icap://override:1344/request"));
        assertThat(EtcdDlpKeys.merge(List.of("prod", "base"), etcd))
                .containsEntry("address", "icap://base:1344/request");
    }

    @Test
    void ignoresNestedKeysOtherPrefixesAndOtherFolders() {
        Map<String, String> etcd = Map.of(
                "/vars/services/plumber/dev/public/service/DLP/system", "icap",
                "/vars/services/plumber/dev/public/service/DLP/old/system", "infowatch",
                "/vars/services/plumber/dev/public/service/DLP/", "folder marker",
                "/vars/services/plumber/development/public/service/DLP/system", "infowatch",
                "/vars/services/plumber/dev/public/service/other/system", "infowatch");

        assertThat(EtcdDlpKeys.merge(List.of("dev"), etcd)).containsExactlyEntriesOf(Map.of("system", "icap"));
        assertThat(EtcdDlpKeys.concerns(List.of("dev"), "/vars/services/plumber/dev/public/service/DLP/token"))
                .isTrue();
        assertThat(EtcdDlpKeys.concerns(List.of("dev"), "/vars/services/plumber/dev/public/service/DLP/a/b"))
                .isFalse();
        assertThat(EtcdDlpKeys.concerns(List.of("dev"), "/vars/services/plumber/devx/public/service/DLP/system"))
                .isFalse();
    }
}
