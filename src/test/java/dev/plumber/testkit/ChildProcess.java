package dev.plumber.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server program the tests run as a child process, its output appended to a log file. Killed with its whole
 * process tree on {@link #kill()}, and by a shutdown hook if the test JVM exits without closing it.
 */
final class ChildProcess {
    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private Process process;
    private Thread shutdownHook;

    ChildProcess(String name, List<String> command, Map<String, String> environment, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
    }

    synchronized void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> killTree(started), name + "-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Waits for the process to exit by itself; false if it is still running after {@code timeout}. */
    boolean waitFor(Duration timeout) {
        Process p;
        synchronized (this) {
            p = process;
        }
        try {
            return p == null || p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The exit code of the process that has ended (after {@link #waitFor}). */
    synchronized int exitCode() {
        return process.exitValue();
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Waits until {@code ready} holds; fails with the log's tail if the process dies or time runs out. */
    void awaitReady(Duration timeout, BooleanSupplier ready) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited while starting; " + describeLog());
            }
            if (Instant.now().isAfter(deadline)) {
                kill();
                throw new IllegalStateException(name + " not ready after " + timeout + "; " + describeLog());
            }
            pause(Duration.ofMillis(100));
        }
    }

    /** Asks the process to stop (SIGTERM), then kills the tree if it has not gone within {@code grace}. */
    synchronized void stop(Duration grace) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(process);
            }
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
        }
        forget();
    }

    /** Kills the process and its descendants at once (SIGKILL), like a crash. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        killTree(process);
        forget();
    }

    String describeLog() {
        return "last lines of " + log + ":\n" + tail(40);
    }

    String tail(int lines) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read log: " + e.getMessage() + ")";
        }
    }

    private void forget() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs anyway; killing twice is harmless.
        }
        process = null;
        shutdownHook = null;
    }

    private static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Best effort: a SIGKILLed process is reaped by the kernel.
            }
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static File nullDevice() {
        return new File("/dev/null");
    }

    /** Deletes a directory tree, best effort (used on close). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Left for the OS's temp cleaning.
                }
            });
        } catch (IOException ignored) {
            // Same.
        }
    }
}
