package dev.plumber.settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The validated DLP settings in force: the keys under {@code …/public/service/DLP/} in etcd, or the demo's
 * {@code key=value} file (SPEC §2).
 *
 * @param address for ICAP the service URI ({@code icap://host:1344/request}); for InfoWatch {@code host:port}
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
        UserEncoding userEncoding) {

    /** How {@code X-Authenticated-User} carries the sender. */
    public enum UserEncoding {
        PLAIN,
        BASE64
    }

    public static final String DEFAULT_REQUEST_URL = "http://vkteams/";

    private static final Set<String> KNOWN_KEYS = Set.of(
            "system", "address", "token", "company", "imservice", "caFile", "tlsVerify", "requestUrl", "userEncoding");

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
            checkIcapAddress(address);
        } else {
            checkHostPort(address);
            required(values, "token");
            required(values, "company");
            required(values, "imservice");
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
        String caFile = values.get("caFile");
        return new DlpSettings(
                system,
                address,
                values.get("token"),
                values.get("company"),
                values.get("imservice"),
                caFile == null || caFile.isBlank() ? null : Path.of(caFile),
                Boolean.parseBoolean(tlsVerify),
                values.getOrDefault("requestUrl", DEFAULT_REQUEST_URL),
                userEncoding);
    }

    /** The ICAP service URI; only meaningful when {@link #system()} is ICAP. */
    public URI icapUri() {
        return URI.create(address);
    }

    /** A one-line description with secrets masked, for logs. */
    public String describe() {
        return "system=" + system.key() + " address=" + address + (token == null ? "" : " token=****")
                + (company == null ? "" : " company=" + company)
                + (imservice == null ? "" : " imservice=" + imservice);
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

    private static String unescape(String value) {
        return value == null ? null : value.strip().replace("\\/", "/");
    }

    private static void checkIcapAddress(String address) throws InvalidSettingsException {
        try {
            URI uri = new URI(address);
            String scheme = uri.getScheme();
            if (!"icap".equals(scheme) && !"icaps".equals(scheme)) {
                throw new InvalidSettingsException(
                        "DLP key 'address' must be an icap:// or icaps:// URI, not '" + address + "'");
            }
            if (uri.getHost() == null) {
                throw new InvalidSettingsException("DLP key 'address' has no host: '" + address + "'");
            }
        } catch (URISyntaxException e) {
            throw new InvalidSettingsException(
                    "DLP key 'address' is not a URI: '" + address + "' (" + e.getReason() + ")");
        }
    }

    private static void checkHostPort(String address) throws InvalidSettingsException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new InvalidSettingsException(
                    "DLP key 'address' must be host:port for InfoWatch, not '" + address + "'");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new InvalidSettingsException("DLP key 'address' has a bad port: '" + address + "'");
        }
    }
}
