package dev.plumber.infowatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.InvalidSettingsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The Traffic Monitor plugin manifest ({@code infowatch/manifest.json}), validated: the service mnemonic events are
 * sent under and the object header that links a message to its file.
 *
 * @param serviceMnemos every {@code SERVICE_MNEMO} the plugin adds
 * @param objectHeader the {@code OBJECT_HEADER} name carrying the file hash on kChat and kFileExchange events
 * @param text the manifest as read
 */
public record PluginManifest(
        String pluginId, String version, List<String> serviceMnemos, String objectHeader, String text) {
    /** Where the manifest sits on the classpath (the jar carries a copy of {@code infowatch/}). */
    public static final String RESOURCE = "infowatch/manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLUGIN_ID = Pattern.compile("[0-9A-F]{32}");
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    private static final List<String> SENT_CLASSES = List.of("kChat", "kFileExchange");

    /** The manifest built into the jar. */
    public static PluginManifest bundled() throws InvalidManifestException {
        ClassLoader loader = PluginManifest.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new InvalidManifestException(RESOURCE + " is not on the classpath");
            }
            return parse(in.readAllBytes(), path -> loader.getResource("infowatch/" + path) != null);
        } catch (IOException e) {
            throw new InvalidManifestException("cannot read " + RESOURCE + ": " + e.getMessage());
        }
    }

    /** A manifest file; the icons it names are looked up beside it. */
    public static PluginManifest load(Path file) throws InvalidManifestException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            return parse(Files.readAllBytes(file), path -> Files.isRegularFile(dir.resolve(path)));
        } catch (IOException e) {
            throw new InvalidManifestException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** @param fileExists whether a path the manifest names (an icon) exists in the plugin */
    static PluginManifest parse(byte[] bytes, Predicate<String> fileExists) throws InvalidManifestException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidManifestException("cannot read the manifest: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidManifestException("not a JSON object");
        }
        String pluginId = text(root, "PLUGIN_ID");
        if (!PLUGIN_ID.matcher(pluginId).matches()) {
            throw new InvalidManifestException("PLUGIN_ID must be 32 upper-case hex digits, not '" + pluginId + "'");
        }
        text(root, "DISPLAY_NAME");
        text(root, "VENDOR");
        String version = text(root, "VERSION");
        if (!VERSION.matcher(version).matches()) {
            throw new InvalidManifestException("VERSION must look like 1.2.3, not '" + version + "'");
        }
        List<String> mnemos = services(root, fileExists);
        String header = objectHeader(root);
        for (JsonNode condition : root.path("PATTERN_SEARCH_LICENSE").path("conditions")) {
            String objectType = condition.path("object_type").asText(null);
            if (objectType != null && !mnemos.contains(objectType)) {
                throw new InvalidManifestException("PATTERN_SEARCH_LICENSE object_type '" + objectType
                        + "' is not a SERVICE_MNEMO of the plugin " + mnemos);
            }
        }
        return new PluginManifest(
                pluginId,
                version,
                List.copyOf(mnemos),
                header,
                new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Checks the DLP setting {@code imservice} names a service of this plugin; the message says what to fix. */
    public void checkService(String imservice) throws InvalidManifestException {
        try {
            DlpSettings.checkImservice(imservice, serviceMnemos);
        } catch (InvalidSettingsException e) {
            throw new InvalidManifestException(e.getMessage());
        }
    }

    private static List<String> services(JsonNode root, Predicate<String> fileExists) throws InvalidManifestException {
        JsonNode types = root.path("ADDS_SERVICES").path("SERVICE_TYPE");
        if (!types.isArray() || types.isEmpty()) {
            throw new InvalidManifestException("ADDS_SERVICES.SERVICE_TYPE must list at least one service");
        }
        List<String> mnemos = new ArrayList<>();
        for (JsonNode type : types) {
            String mnemo = text(type, "SERVICE_MNEMO");
            List<String> classes = strings(type.path("DATA_CLASS"));
            if (!classes.containsAll(SENT_CLASSES)) {
                throw new InvalidManifestException(
                        "service " + mnemo + ": DATA_CLASS must include " + SENT_CLASSES + " (Plumber sends both)");
            }
            icon(type, "service " + mnemo, fileExists);
            for (JsonNode contact : type.path("CONTACT_TYPE")) {
                icon(contact, "contact type " + text(contact, "MNEMO"), fileExists);
            }
            mnemos.add(mnemo);
        }
        return mnemos;
    }

    private static String objectHeader(JsonNode root) throws InvalidManifestException {
        for (JsonNode header : root.path("OBJECT_HEADER")) {
            if (strings(header.path("DATA_CLASS")).containsAll(SENT_CLASSES)) {
                String type = header.path("TYPE").asText("");
                if (!type.equals("string")) {
                    throw new InvalidManifestException(
                            "OBJECT_HEADER " + text(header, "NAME") + " must have TYPE string (a file hash)");
                }
                return text(header, "NAME");
            }
        }
        throw new InvalidManifestException(
                "OBJECT_HEADER needs an entry for DATA_CLASS " + SENT_CLASSES + ": it links a message to its file");
    }

    private static void icon(JsonNode node, String what, Predicate<String> fileExists) throws InvalidManifestException {
        String icon = text(node, "ICON");
        if (!fileExists.test(icon)) {
            throw new InvalidManifestException(what + ": ICON " + icon + " is not in the plugin");
        }
    }

    private static String text(JsonNode node, String field) throws InvalidManifestException {
        String value = node.path(field).asText("");
        if (!node.path(field).isTextual() || value.isBlank()) {
            throw new InvalidManifestException(field + " is missing or empty");
        }
        return value;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The manifest is unusable; the message names the field and the fix. */
    public static final class InvalidManifestException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidManifestException(String message) {
            super(message);
        }
    }
}
