package dev.plumber.bench;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * CPU time from {@code /proc/<pid>/stat}: of one process, or of this benchmark's whole tree (its JVM, the broker's,
 * PostgreSQL, c-icap and the gateway's JVM), which is what one event costs the machine end to end.
 */
final class ProcessCpu {
    private static final long CLOCK_TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    /** The roles the processes are counted under, in the order they are reported. */
    static final String BENCH = "benchmark JVM (file service, load or ceiling client)";

    static final String GATEWAY = "gateway";
    static final String BROKER = "Kafka broker";
    static final String POSTGRES = "PostgreSQL";
    static final String C_ICAP = "c-icap";
    static final String OTHER = "other";

    /** Processes counted under a role of their own, with their descendants, wherever they run. */
    private static final Map<ProcessHandle, String> ROOTS = new ConcurrentHashMap<>();

    private ProcessCpu() {}

    /** Counts {@code root} and its descendants under {@code role} from now on. */
    static void count(ProcessHandle root, String role) {
        ROOTS.put(root, role);
    }

    /** The PostgreSQL server listening on {@code port}: pg_ctl starts it as a daemon, outside this JVM's tree. */
    static Optional<ProcessHandle> postgresOn(int port) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("/postgres"))
                .filter(p -> List.of(p.info().arguments().orElse(new String[0])).contains(Integer.toString(port)))
                .findFirst();
    }

    /** User + system time of the process so far, all threads; 0 when it is gone. */
    static long nanos(long pid) {
        try {
            return nanos(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** User + system time from a process's or a thread's {@code stat} file. */
    private static long nanos(Path stat) throws IOException {
        String line = Files.readString(stat);
        // Fields after the command name (which may hold spaces) start at state (field 3); utime, stime are 14, 15.
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * CLOCK_TICK_NANOS;
    }

    /**
     * The CPU time of the JIT compiler threads of every JVM counted — this one, the broker's and the gateway's — in
     * milliseconds so far: for a warm-up that is over only when none of them is still compiling. Each thread keeps
     * what it used when it ends (a JVM stops compiler threads it no longer needs), so the sum never falls.
     */
    static final class Compilers implements Warmup.CompileTime {
        /** The last reading of each compiler thread ("pid/tid"): its process's role and its CPU time. */
        private final Map<String, Reading> byThread = new HashMap<>();

        private record Reading(String role, long nanos) {}

        @Override
        public long millis() throws IOException {
            return read().values().stream().mapToLong(Long::longValue).sum();
        }

        /** Milliseconds so far by role. */
        Map<String, Long> read() throws IOException {
            for (var process : roles().entrySet()) {
                long pid = process.getKey();
                try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                    for (Path task : (Iterable<Path>) tasks::iterator) {
                        try {
                            String name = Files.readString(task.resolve("comm"));
                            if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                                byThread.put(
                                        pid + "/" + task.getFileName(),
                                        new Reading(process.getValue(), nanos(task.resolve("stat"))));
                            }
                        } catch (IOException threadGone) {
                            // Ended between the listing and the reading (NoSuchFileException, or "No such process"
                            // from a thread that has exited and not yet been reaped): it keeps its last reading. The
                            // JVM stops compiler threads it no longer needs.
                        }
                    }
                } catch (FileSystemException processGone) {
                    // Reaped (NoSuchFileException), or exited and not yet reaped ("No such process": a c-icap child
                    // that served its requests, a PostgreSQL backend): its threads keep their last readings.
                }
            }
            Map<String, Long> millis = new TreeMap<>();
            byThread.values().forEach(r -> millis.merge(r.role(), r.nanos() / 1_000_000, Long::sum));
            return millis;
        }
    }

    /**
     * A phase being timed: the CPU readings at its start. {@link #end} gives what each role took since, and logs what
     * the compilers took of it, by JVM — the warm-up's verdict, checked.
     */
    static final class Phase {
        private final Compilers compilers;
        private final Map<Long, Long> start = reading();
        private final Map<String, Long> compiledAtStart;

        Phase(Compilers compilers) throws IOException {
            this.compilers = compilers;
            this.compiledAtStart = compilers.read();
        }

        /**
         * The CPU time each role took since the start (see {@link #since}); logs the compilers' share, by JVM, as
         * {@code name}.
         */
        Map<String, Long> end(String name) throws IOException {
            Map<String, Long> used = since(start);
            StringBuilder byRole = new StringBuilder();
            long compiled = 0;
            for (var e : compilers.read().entrySet()) {
                long ms = e.getValue() - compiledAtStart.getOrDefault(e.getKey(), 0L);
                compiled += ms;
                byRole.append(byRole.isEmpty() ? "" : ", ")
                        .append(e.getKey())
                        .append(' ')
                        .append(ms);
            }
            long all = used.values().stream().mapToLong(Long::longValue).sum();
            System.err.printf(
                    Locale.ROOT,
                    "bench: %s: the JVMs' compilers took %,d ms of CPU in the phase timed (%s), %.1f %% of all"
                            + " processes'%n",
                    name,
                    compiled,
                    byRole,
                    all == 0 ? 0 : compiled * 1e8 / all);
            return used;
        }
    }

    /** Every counted process's CPU time so far, by pid; see {@link #since}. */
    private static Map<Long, Long> reading() {
        Map<Long, Long> nanos = new HashMap<>();
        roles().forEach((pid, role) -> nanos.put(pid, nanos(pid)));
        return nanos;
    }

    /**
     * The CPU time each role took since {@code before}: the sum over the processes counted now of what each took since
     * then (all of it for a process started since). A process that ended in between is left out rather than counted
     * negative.
     */
    private static Map<String, Long> since(Map<Long, Long> before) {
        Map<String, Long> byRole = new LinkedHashMap<>();
        for (String role : new String[] {BENCH, GATEWAY, BROKER, POSTGRES, C_ICAP, OTHER}) {
            byRole.put(role, 0L);
        }
        // A process gone between listing and reading reads 0: left out too.
        roles().forEach((pid, role) ->
                byRole.merge(role, Math.max(0, nanos(pid) - before.getOrDefault(pid, 0L)), Long::sum));
        return byRole;
    }

    /** The role of each process counted: this JVM and those under it, and the processes under a root of a role. */
    private static Map<Long, String> roles() {
        Map<Long, String> roles = new HashMap<>();
        ROOTS.forEach((root, role) ->
                Stream.concat(Stream.of(root), root.descendants()).forEach(p -> roles.put(p.pid(), role)));
        ProcessHandle self = ProcessHandle.current();
        Stream.concat(Stream.of(self), self.descendants()).forEach(p -> roles.putIfAbsent(p.pid(), role(p, self)));
        return roles;
    }

    private static String role(ProcessHandle p, ProcessHandle self) {
        if (p.equals(self)) {
            return BENCH;
        }
        String command = p.info().command().orElse("");
        if (command.contains("c-icap")) {
            return C_ICAP;
        }
        return command.endsWith("/java") ? GATEWAY : OTHER;
    }
}
