package dev.plumber.settings;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The validated DLP settings in force: the keys under {@code …/public/service/DLP/} in etcd, or the demo's
 * {@code key=value} file (SPEC §2).
 *
 * @param address for ICAP the service URI ({@code icap://host:1344/request}); for InfoWatch {@code host:port}
 * @param mode {@code off} switches the DLP off: events are not sent, each is {@code SKIPPED}
 * @param maxFileSize files larger than this many bytes are not sent but {@code SKIPPED}; empty for no limit
 */
public record DlpSettings(
        DlpSystem system,
        String address,
        String token,
        String company,
        String imservice,
        Path caFile,
        boolean tlsVerify,
        String requestUrl,
        UserEncoding userEncoding,
        Mode mode,
        OptionalLong maxFileSize) {

    /** How {@code X-Authenticated-User} carries the sender. */
    public enum UserEncoding {
        PLAIN,
        BASE64
    }

    /** Whether events go to the DLP at all. */
    public enum Mode {
        ON,
        OFF
    }

    public static final String DEFAULT_REQUEST_URL = "http://vkteams/";

    private static final Set<String> KNOWN_KEYS = Set.of(
            "system",
            "address",
            "token",
            "company",
            "imservice",
            "caFile",
            "tlsVerify",
            "requestUrl",
            "userEncoding",
            "mode",
            "maxFileSize");

    /** Validates raw key/value pairs; values written as the seed writes them ({@code icap:\/\/…}) are accepted. */
    public static DlpSettings fromMap(Map<String, String> raw) throws InvalidSettingsException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            if (!KNOWN_KEYS.contains(e.getKey())) {
                throw new InvalidSettingsException("unknown DLP key '" + e.getKey() + "' (known: " + KNOWN_KEYS + ")");
            }
            values.put(e.getKey(), unescape(e.getValue()));
        }
        String systemValue = required(values, "system");
        DlpSystem system;
        try {
            system = DlpSystem.valueOf(systemValue.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException(
                    "DLP key 'system' must be 'icap' or 'infowatch', not '" + systemValue + "'");
        }
        String address = required(values, "address");
        if (system == DlpSystem.ICAP) {
            DlpValues.checkIcapAddress(address);
        } else {
            DlpValues.checkHostPort(address);
            required(values, "token");
            required(values, "company");
            checkImservice(required(values, "imservice"), DlpValues.pluginServices());
        }
        String tlsVerify = values.getOrDefault("tlsVerify", "true");
        if (!tlsVerify.equals("true") && !tlsVerify.equals("false")) {
            throw new InvalidSettingsException(
                    "DLP key 'tlsVerify' must be 'true' or 'false', not '" + tlsVerify + "'");
        }
        String encoding = values.getOrDefault("userEncoding", "plain");
        UserEncoding userEncoding;
        try {
            userEncoding = UserEncoding.valueOf(encoding.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException(
                    "DLP key 'userEncoding' must be 'plain' or 'base64', not '" + encoding + "'");
        }
        String mode = values.getOrDefault("mode", "on");
        if (!mode.equals("on") && !mode.equals("off")) {
            throw new InvalidSettingsException("DLP key 'mode' must be 'on' or 'off', not '" + mode + "'");
        }
        return new DlpSettings(
                system,
                address,
                values.get("token"),
                values.get("company"),
                values.get("imservice"),
                DlpValues.caFile(values.get("caFile")),
                Boolean.parseBoolean(tlsVerify),
                DlpValues.checkRequestUrl(values.getOrDefault("requestUrl", DEFAULT_REQUEST_URL)),
                userEncoding,
                Mode.valueOf(mode.toUpperCase(Locale.ROOT)),
                DlpValues.size(values.get("maxFileSize")));
    }

    /** The ICAP service URI; only meaningful when {@link #system()} is ICAP. */
    public URI icapUri() {
        return URI.create(address);
    }

    /** A one-line description with secrets masked, for logs. */
    public String describe() {
        return "system=" + system.key() + " address=" + address + (token == null ? "" : " token=****")
                + (company == null ? "" : " company=" + company)
                + (imservice == null ? "" : " imservice=" + imservice)
                + (mode == Mode.OFF ? " mode=off" : "")
                + (maxFileSize.isPresent() ? " maxFileSize=" + maxFileSize.getAsLong() : "");
    }

    /** The settings as {@code key=value} lines, readable by {@link FileDlpSettingsSource} (secrets included). */
    public String toKeyValueLines() {
        StringBuilder out = new StringBuilder();
        java.util.function.BiConsumer<String, Object> line = (key, value) -> {
            if (value != null) {
                out.append(key).append('=').append(value).append('\n');
            }
        };
        line.accept("system", system.key());
        line.accept("address", address);
        line.accept("token", token);
        line.accept("company", company);
        line.accept("imservice", imservice);
        line.accept("caFile", caFile);
        line.accept("tlsVerify", tlsVerify);
        line.accept("requestUrl", requestUrl);
        line.accept("userEncoding", userEncoding.name().toLowerCase(Locale.ROOT));
        line.accept("mode", mode.name().toLowerCase(Locale.ROOT));
        line.accept("maxFileSize", maxFileSize.isPresent() ? maxFileSize.getAsLong() : null);
        return out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String required(Map<String, String> values, String key) throws InvalidSettingsException {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            throw new InvalidSettingsException(
                    "DLP key '" + key + "' is required" + (key.equals("system") ? "" : " here"));
        }
        return value.strip();
    }

    /**
     * {@code imservice} must be one of the services the Traffic Monitor plugin's manifest declares
     * ({@code SERVICE_MNEMO}): Traffic Monitor files events only under them. The one wording of the rule, for these
     * settings and for the {@code plumber infowatch manifest} check.
     */
    public static void checkImservice(String imservice, List<String> declared) throws InvalidSettingsException {
        if (!declared.contains(imservice)) {
            throw new InvalidSettingsException("DLP key 'imservice' is '" + imservice
                    + "' but the Traffic Monitor plugin declares SERVICE_MNEMO " + String.join(", ", declared)
                    + " (infowatch/manifest.json)");
        }
    }

    private static String unescape(String value) {
        return value == null ? null : value.strip().replace("\\/", "/");
    }
}
