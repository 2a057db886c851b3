package dev.plumber.mock.icap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The ICAP mock's rules: checked in order against the request body, the first match decides; no match allows.
 * The YAML format is documented in {@code icap/README.md}.
 */
public record MockRules(List<Rule> rules) {

    /** What a matching rule does. */
    public enum Action {
        BLOCK,
        ALLOW
    }

    /**
     * @param luhn when true a match counts only if its digits pass the Luhn check (card numbers)
     */
    public record Rule(String name, Pattern pattern, Action action, boolean luhn) {

        boolean matches(String text) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                if (!luhn || passesLuhn(m.group())) {
                    return true;
                }
            }
            return false;
        }
    }

    public MockRules {
        rules = List.copyOf(rules);
    }

    /** The demo rules (SPEC §7): card numbers such as 4111 1111 1111 1111, and the word "confidential". */
    public static MockRules demo() {
        return new MockRules(List.of(
                new Rule("card number", Pattern.compile(CARD_PATTERN), Action.BLOCK, true),
                new Rule("confidential", Pattern.compile("(?i)\\bconfidential\\b"), Action.BLOCK, false)));
    }

    /** 16 digits in groups of four, optionally separated by one space or dash. */
    public static final String CARD_PATTERN = "(?<!\\d)\\d{4}(?:[ -]?\\d{4}){3}(?!\\d)";

    public static MockRules load(Path file) throws IOException {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot read rules file " + file + ": " + reason(e), e);
        }
        return parse(yaml, file.toString());
    }

    /** The file system's exceptions name only the path for their commonest causes. */
    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "no such file";
            case AccessDeniedException denied -> "permission denied";
            default -> e.getMessage();
        };
    }

    public static MockRules parse(String yaml, String origin) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        JsonNode list = root == null ? null : root.get("rules");
        if (list == null || !list.isArray()) {
            throw new IOException(origin + ": expected a top-level 'rules:' list");
        }
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode node : list) {
            i++;
            String where = origin + ": rule " + i;
            String name = text(node, "name", where);
            String pattern = text(node, "pattern", where);
            String action = node.path("action").asText("block").toUpperCase(Locale.ROOT);
            Action parsed;
            try {
                parsed = Action.valueOf(action);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": action must be 'block' or 'allow', not '" + action + "'");
            }
            try {
                rules.add(new Rule(
                        name,
                        Pattern.compile(pattern),
                        parsed,
                        node.path("luhn").asBoolean(false)));
            } catch (PatternSyntaxException e) {
                throw new IOException(where + ": bad pattern: " + e.getDescription());
            }
        }
        return new MockRules(rules);
    }

    /** The first rule whose pattern is found in the body (read as UTF-8), or null. */
    public Rule firstMatch(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        for (Rule rule : rules) {
            if (rule.matches(text)) {
                return rule;
            }
        }
        return null;
    }

    private static String text(JsonNode node, String field, String where) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IOException(where + ": '" + field + "' is required");
        }
        return value.asText();
    }

    static boolean passesLuhn(String match) {
        int sum = 0;
        boolean doubled = false;
        for (int i = match.length() - 1; i >= 0; i--) {
            char c = match.charAt(i);
            if (!Character.isDigit(c)) {
                continue;
            }
            int d = c - '0';
            if (doubled) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }
}
