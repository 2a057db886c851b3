package dev.plumber.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The settings are read by the packages that act on them, and so depend on none of those: no package cycle. */
class SettingsDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/plumber");
    private static final Pattern PACKAGE = Pattern.compile("dev\\.plumber\\.([a-z]+)\\.");

    @Test
    void theSettingsNameNoPackageThatReadsThem() throws IOException {
        Set<String> readers = new TreeSet<>();
        try (Stream<Path> packages = Files.list(SOURCES)) {
            for (Path dir : packages.filter(Files::isDirectory).toList()) {
                String name = dir.getFileName().toString();
                if (!name.equals("settings") && named(dir).contains("settings")) {
                    readers.add(name);
                }
            }
        }

        assertThat(readers).contains("infowatch", "searchinform", "gateway");
        assertThat(named(SOURCES.resolve("settings"))).doesNotContainAnyElementsOf(readers);
    }

    /** The {@code dev.plumber} packages a package's sources (sub-packages included) import or name in full. */
    private static Set<String> named(Path dir) throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = PACKAGE.matcher(Files.readString(file));
                while (m.find()) {
                    packages.add(m.group(1));
                }
            }
        }
        return packages;
    }
}
