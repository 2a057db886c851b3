package dev.plumber.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.transport.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the value of one DLP key before the settings are used: a value the gateway could not use is rejected here,
 * while the last valid settings stay, rather than failing every event later. Each message names the key and value.
 */
final class DlpValues {
    /** A host name or IPv4 address, or an IPv6 address in brackets. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+]");

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})(KiB|MiB|GiB)?");

    /** The Traffic Monitor plugin manifest on the classpath (the jar carries a copy of {@code infowatch/}). */
    private static final String MANIFEST = "infowatch/manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DlpValues() {}

    /** An {@code icap://} or {@code icaps://} service URI with a host, and a port from 1 to 65535 when one is given. */
    static void checkIcapAddress(String address) throws InvalidSettingsException {
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            throw new InvalidSettingsException(
                    "DLP key 'address' is not a URI: '" + address + "' (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme();
        if (!"icap".equals(scheme) && !"icaps".equals(scheme)) {
            throw new InvalidSettingsException(
                    "DLP key 'address' must be an icap:// or icaps:// URI, not '" + address + "'");
        }
        // A port that is not a number makes the authority one the URI cannot split into host and port.
        if (uri.getHost() == null) {
            throw new InvalidSettingsException("DLP key 'address' has no host or a bad port: '" + address + "'");
        }
        if (uri.getPort() != -1) {
            checkPort(uri.getPort(), address);
        }
    }

    /** InfoWatch's {@code host:port}. */
    static void checkHostPort(String address) throws InvalidSettingsException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || !HOST.matcher(address.substring(0, colon)).matches()) {
            throw new InvalidSettingsException(
                    "DLP key 'address' must be host:port for InfoWatch, not '" + address + "'");
        }
        String port = address.substring(colon + 1);
        if (!port.matches("\\d{1,5}")) {
            throw new InvalidSettingsException("DLP key 'address' has a bad port: '" + address + "'");
        }
        checkPort(Integer.parseInt(port), address);
    }

    private static void checkPort(int port, String address) throws InvalidSettingsException {
        if (port < 1 || port > 65535) {
            throw new InvalidSettingsException(
                    "DLP key 'address' has port " + port + ", outside 1-65535: '" + address + "'");
        }
    }

    /** {@code requestUrl}: the encapsulated request's target, an absolute http(s) URL with a host. */
    static String checkRequestUrl(String url) throws InvalidSettingsException {
        String rule = "DLP key 'requestUrl' must be an absolute http:// or https:// URL with a host, not '" + url + "'";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidSettingsException(rule + " (" + e.getReason() + ")");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new InvalidSettingsException(rule);
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            throw new InvalidSettingsException(rule + " (port " + uri.getPort() + " is outside 1-65535)");
        }
        return url;
    }

    /**
     * {@code caFile}: a readable file with at least one certificate, read the way the TLS clients will read it; null
     * when unset. Without this check a file that is missing or not PEM failed every TLS connection instead.
     */
    static Path caFile(String value) throws InvalidSettingsException {
        if (value == null || value.isBlank()) {
            return null;
        }
        String shown = value.replace("\0", "\\0");
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw new InvalidSettingsException(
                    "DLP key 'caFile' is not a file path: '" + shown + "' (" + e.getReason() + ")");
        }
        int certificates;
        try {
            certificates = TlsSettings.certificates(path).size();
        } catch (NoSuchFileException e) {
            throw new InvalidSettingsException("DLP key 'caFile' names no file: '" + shown + "'");
        } catch (AccessDeniedException e) {
            throw new InvalidSettingsException("DLP key 'caFile' is not readable by the gateway: '" + shown + "'");
        } catch (IOException e) {
            throw new InvalidSettingsException(
                    "DLP key 'caFile' cannot be read: '" + shown + "' (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new InvalidSettingsException(
                    "DLP key 'caFile' is not a PEM file of CA certificates: '" + shown + "' (" + e.getMessage() + ")");
        }
        if (certificates == 0) {
            throw new InvalidSettingsException("DLP key 'caFile' holds no certificate: '" + shown + "'");
        }
        return path;
    }

    /** {@code maxFileSize}: bytes, or a whole number of {@code KiB}, {@code MiB} or {@code GiB}; empty when unset. */
    static OptionalLong size(String value) throws InvalidSettingsException {
        if (value == null) {
            return OptionalLong.empty();
        }
        String rule =
                "DLP key 'maxFileSize' must be a number of bytes above 0, or of KiB, MiB or GiB (e.g. 100MiB), not '"
                        + value + "'";
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new InvalidSettingsException(rule);
        }
        long unit =
                switch (m.group(2) == null ? "" : m.group(2)) {
                    case "KiB" -> 1L << 10;
                    case "MiB" -> 1L << 20;
                    case "GiB" -> 1L << 30;
                    default -> 1;
                };
        try {
            long bytes = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (bytes < 1) {
                throw new InvalidSettingsException(rule);
            }
            return OptionalLong.of(bytes);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidSettingsException(rule + " (too large)");
        }
    }

    /**
     * The services ({@code SERVICE_MNEMO}) of the Traffic Monitor plugin the gateway ships, which {@code imservice}
     * must name. Only they are read here: the infowatch sender, which reads these settings, checks the whole manifest
     * when it starts.
     */
    static List<String> pluginServices() throws InvalidSettingsException {
        try (InputStream in = DlpValues.class.getClassLoader().getResourceAsStream(MANIFEST)) {
            if (in == null) {
                throw new InvalidSettingsException(MANIFEST + " is not on the classpath");
            }
            List<String> services = new ArrayList<>();
            for (JsonNode type : JSON.readTree(in).path("ADDS_SERVICES").path("SERVICE_TYPE")) {
                services.add(type.path("SERVICE_MNEMO").asText());
            }
            return services;
        } catch (IOException e) {
            throw new InvalidSettingsException("cannot read " + MANIFEST + ": " + e.getMessage());
        }
    }
}
