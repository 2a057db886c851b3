package dev.plumber.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time from {@code /proc/<pid>/stat}: of one process, or of this benchmark's whole tree (its JVM with the broker,
 * PostgreSQL, c-icap and the gateway's JVM), which is what one event costs the machine end to end.
 */
final class ProcessCpu {
    private static final long CLOCK_TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    private ProcessCpu() {}

    /** User + system time of the process so far, all threads; 0 when it is gone. */
    static long nanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start at state (field 3); utime, stime are 14, 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * CLOCK_TICK_NANOS;
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** This JVM and every process under it (processes that ended in between are not counted). */
    static long treeNanos() {
        ProcessHandle self = ProcessHandle.current();
        return Stream.concat(Stream.of(self), self.descendants())
                .mapToLong(p -> nanos(p.pid()))
                .sum();
    }
}
