package dev.plumber.settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The etcd key layout of the DLP settings (SPEC §2): {@code /vars/services/plumber/<PREFIX>/public/service/DLP/<KEY>},
 * and how the folders of several prefixes merge — later prefixes override earlier ones key by key.
 */
final class EtcdDlpKeys {
    /** Every prefix's folder lies below this one; the source watches it as a whole. */
    static final String ROOT = "/vars/services/plumber/";

    private EtcdDlpKeys() {}

    static String folder(String prefix) {
        return ROOT + prefix + "/public/service/DLP/";
    }

    /** Whether a change to {@code key} can change the settings read for these prefixes. */
    static boolean concerns(List<String> prefixes, String key) {
        return prefixes.stream().anyMatch(prefix -> dlpKey(prefix, key) != null);
    }

    /**
     * The DLP key names and values for these prefixes out of etcd's full keys and values. Keys nested deeper than
     * {@code DLP/<KEY>} belong to no setting and are left out.
     */
    static Map<String, String> merge(List<String> prefixes, Map<String, String> values) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String prefix : prefixes) {
            values.forEach((key, value) -> {
                String name = dlpKey(prefix, key);
                if (name != null) {
                    merged.put(name, value);
                }
            });
        }
        return merged;
    }

    private static String dlpKey(String prefix, String key) {
        String folder = folder(prefix);
        if (!key.startsWith(folder)) {
            return null;
        }
        String name = key.substring(folder.length());
        return name.isEmpty() || name.contains("/") ? null : name;
    }
}
