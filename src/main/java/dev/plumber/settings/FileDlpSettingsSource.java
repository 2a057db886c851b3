package dev.plumber.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** DLP settings from a local file of {@code key=value} lines (the demo's, or {@code --settings FILE}). */
public final class FileDlpSettingsSource implements DlpSettingsSource {
    private final DlpSettings settings;

    private FileDlpSettingsSource(DlpSettings settings) {
        this.settings = settings;
    }

    public static FileDlpSettingsSource read(Path file) throws InvalidSettingsException {
        try {
            return new FileDlpSettingsSource(DlpSettings.fromMap(parse(Files.readString(file))));
        } catch (IOException e) {
            throw new InvalidSettingsException(file + ": cannot read: " + e.getMessage());
        } catch (InvalidSettingsException e) {
            throw new InvalidSettingsException(file + ": " + e.getMessage());
        }
    }

    /** Parses {@code key=value} lines; blank lines and lines starting with {@code #} are ignored. */
    static Map<String, String> parse(String text) throws InvalidSettingsException {
        Map<String, String> values = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String line : text.split("\\R")) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new InvalidSettingsException(
                        "line " + lineNumber + ": expected key=value, got '" + trimmed + "'");
            }
            values.put(
                    trimmed.substring(0, eq).strip(), trimmed.substring(eq + 1).strip());
        }
        return values;
    }

    @Override
    public Optional<DlpSettings> current() {
        return Optional.of(settings);
    }

    @Override
    public String problem() {
        return null;
    }
}
