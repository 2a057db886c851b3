package dev.plumber.settings;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds a YAML file to an immutable settings record: unknown keys and wrong types are rejected with the file, key
 * and reason; environment variables {@code PLUMBER_<PATH>} override file values (SPEC §2).
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .registerModule(new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer()));

    private ConfigLoader() {}

    /** Reads {@code file} (may be null: defaults only), then applies overrides from {@code env}. */
    public static <T extends Record> T load(Path file, Class<T> type, Map<String, String> env)
            throws InvalidSettingsException {
        String source = file == null ? "(defaults)" : file.toString();
        ObjectNode tree;
        try {
            if (file == null) {
                tree = JsonNodeFactory.instance.objectNode();
            } else {
                JsonNode read = YAML.readTree(Files.readString(file));
                if (read == null || read.isMissingNode() || read.isNull()) {
                    tree = JsonNodeFactory.instance.objectNode();
                } else if (read instanceof ObjectNode object) {
                    tree = object;
                } else {
                    throw new InvalidSettingsException(source + ": the top level must be a mapping of sections");
                }
            }
        } catch (IOException e) {
            throw new InvalidSettingsException(source + ": cannot read: " + e.getMessage());
        }
        applyEnvironment(tree, type, env);
        try {
            return YAML.treeToValue(tree, type);
        } catch (JsonMappingException e) {
            throw new InvalidSettingsException(source + ": key '" + path(e) + "': " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidSettingsException(source + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException(source + ": " + e.getMessage());
        }
    }

    /** One effective setting: its dotted key, its value (secrets masked) and where the value came from. */
    public record Effective(String key, String value, String source) {}

    /**
     * Lists every effective setting of {@code config} (as loaded from {@code file} and {@code env}) with its source:
     * {@code env PLUMBER_…}, {@code file} or {@code default}. Values of keys named like secrets are masked.
     */
    public static List<Effective> explain(Path file, Record config, Map<String, String> env) throws IOException {
        JsonNode tree = file == null ? null : YAML.readTree(Files.readString(file));
        List<Effective> lines = new ArrayList<>();
        explain(config, new ArrayList<>(), tree, env, lines);
        return lines;
    }

    private static void explain(
            Record value, List<String> prefix, JsonNode tree, Map<String, String> env, List<Effective> out) {
        for (RecordComponent component : value.getClass().getRecordComponents()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(jsonName(component));
            Object v;
            try {
                v = component.getAccessor().invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (v instanceof Record nested) {
                explain(nested, path, tree, env, out);
                continue;
            }
            String envName =
                    "PLUMBER_" + String.join("_", path).replace(".", "_").toUpperCase(Locale.ROOT);
            JsonNode node = tree;
            for (String segment : path) {
                node = node == null ? null : node.get(segment);
            }
            String source = env.containsKey(envName) ? "env " + envName : node != null ? "file" : "default";
            String name = path.getLast().toLowerCase(Locale.ROOT);
            boolean secret = name.contains("password") || name.contains("token") || name.contains("secret");
            String shown = v == null ? "" : secret && !v.toString().isEmpty() ? "****" : v.toString();
            out.add(new Effective(String.join(".", path), shown, source));
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static void applyEnvironment(ObjectNode tree, Class<?> type, Map<String, String> env) {
        Map<String, List<String>> paths = new HashMap<>();
        collectPaths(type, new ArrayList<>(), paths);
        for (Map.Entry<String, String> e : env.entrySet()) {
            List<String> path = paths.get(e.getKey());
            if (path == null) {
                continue;
            }
            ObjectNode parent = tree;
            for (String segment : path.subList(0, path.size() - 1)) {
                JsonNode child = parent.get(segment);
                parent = child instanceof ObjectNode object ? object : parent.putObject(segment);
            }
            String leaf = path.getLast();
            if (paths.containsKey(e.getKey() + "[]")) {
                ArrayNode list = parent.putArray(leaf);
                for (String item : e.getValue().split(",")) {
                    if (!item.isBlank()) {
                        list.add(item.strip());
                    }
                }
            } else {
                parent.put(leaf, e.getValue());
            }
        }
    }

    /** Maps {@code PLUMBER_KAFKA_BOOTSTRAPSERVERS} to {@code [kafka, bootstrapServers]}; lists also get a "[]" key. */
    private static void collectPaths(Class<?> type, List<String> prefix, Map<String, List<String>> paths) {
        for (RecordComponent component : type.getRecordComponents()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(jsonName(component));
            Class<?> componentType = component.getType();
            if (componentType.isRecord()) {
                collectPaths(componentType, path, paths);
                continue;
            }
            String env = "PLUMBER_" + String.join("_", path).replace(".", "_").toUpperCase(Locale.ROOT);
            paths.put(env, path);
            if (List.class.isAssignableFrom(componentType)) {
                Type generic = component.getGenericType();
                if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] == String.class) {
                    paths.put(env + "[]", path);
                }
            }
        }
    }

    private static String jsonName(RecordComponent component) {
        // @JsonProperty cannot target a record component; javac copies it to the accessor, where Jackson reads it.
        com.fasterxml.jackson.annotation.JsonProperty property =
                component.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return property != null && !property.value().isEmpty() ? property.value() : component.getName();
    }
}
