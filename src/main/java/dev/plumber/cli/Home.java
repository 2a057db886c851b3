package dev.plumber.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The installation directory holding {@code config/}: {@code PLUMBER_HOME} (set by ./plumber), else the working directory. */
final class Home {
    private Home() {}

    static Path dir() {
        String home = System.getenv("PLUMBER_HOME");
        return Path.of(home == null || home.isBlank() ? "." : home)
                .toAbsolutePath()
                .normalize();
    }

    /** A file under {@code config/}, which must exist. */
    static Path config(String name) {
        Path file = dir().resolve("config").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing " + file + " (run from the repository or set PLUMBER_HOME)");
        }
        return file;
    }
}
