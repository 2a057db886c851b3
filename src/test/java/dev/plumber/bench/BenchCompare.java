package dev.plumber.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The figures of end-to-end runs side by side ({@code scripts/bench compare BUILD=RUN.json ...}, which {@code scripts/
 * bench ab} calls): per mix, a row for each run in the order given, then each build's medians. Runs of two builds that
 * alternated on the same machine are what it is for: one run of each says little on a machine this noisy.
 */
final class BenchCompare {
    private static final String USAGE =
            """
            usage: scripts/bench compare BUILD=target/bench/<timestamp>.json ...
              each argument one run's JSON, labelled by its build; runs of one build share a label
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A figure of a mix's run, by its JSON key, and how the table writes it. */
    private record Figure(String heading, ToDoubleFunction<JsonNode> value, String format) {
        static Figure of(String heading, String key, String format) {
            return new Figure(heading, mix -> mix.path(key).asDouble(Double.NaN), format);
        }

        /** A figure that a mix without it gives as zero: no files, no paced phase. */
        static Figure ifAny(String heading, String key, String format) {
            return new Figure(
                    heading,
                    mix -> mix.path(key).asDouble(0) == 0
                            ? Double.NaN
                            : mix.path(key).asDouble(),
                    format);
        }

        /** A process's CPU a second in the idle phase (runs from before it: none). */
        static Figure idle(String heading, String role) {
            return new Figure(
                    heading,
                    mix -> mix.path("cpuMsPerSecondByProcessIdle").path(role).asDouble(Double.NaN),
                    "%.1f");
        }

        String text(double v) {
            return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
        }
    }

    private static final List<Figure> FIGURES = List.of(
            Figure.of("gateway ev/s", "gatewayEventsPerSecond", "%,.0f"),
            Figure.ifAny("gateway MiB/s", "gatewayMiBPerSecond", "%,.1f"),
            Figure.of("ceiling ev/s", "ceilingEventsPerSecond", "%,.0f"),
            Figure.of("gateway ÷ ceiling", "gatewayOverCeiling", "%.2f"),
            Figure.of("gateway CPU ms/event", "gatewayCpuMsPerEvent", "%.3f"),
            Figure.of("all processes CPU ms/event", "allProcessesCpuMsPerEventGatewayRun", "%.3f"),
            Figure.of("machine busy", "machineBusyGatewayRun", "%.2f"),
            Figure.ifAny("half rate ev/s", "latencyPhaseEventsPerSecond", "%,.0f"),
            Figure.of("end to end p50 ms", "endToEndP50Ms", "%.1f"),
            Figure.of("end to end p99 ms", "endToEndP99Ms", "%.1f"),
            Figure.of("status flush p99 ms", "statusFlushP99Ms", "%.1f"),
            Figure.of("trickle end to end p50 ms", "trickleEndToEndP50Ms", "%.1f"),
            Figure.of("trickle end to end p99 ms", "trickleEndToEndP99Ms", "%.1f"),
            Figure.idle("idle gateway CPU ms/s", ProcessCpu.GATEWAY),
            Figure.idle("idle broker CPU ms/s", ProcessCpu.BROKER),
            new Figure(
                    "peak heap MiB", mix -> mix.path("gatewayPeakHeapBytes").asDouble(Double.NaN) / (1 << 20), "%.0f"));

    private BenchCompare() {}

    static void run(String[] args) throws IOException {
        if (args.length == 0 || args[0].equals("--help")) {
            System.err.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        List<String> builds = new ArrayList<>();
        List<JsonNode> runs = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.lastIndexOf('=');
            if (eq <= 0) {
                System.err.print(USAGE);
                System.exit(2);
            }
            Path json = Path.of(arg.substring(eq + 1));
            if (!Files.isReadable(json)) {
                System.err.println("bench compare: no run's JSON at " + json);
                System.exit(2);
            }
            builds.add(arg.substring(0, eq));
            runs.add(JSON.readTree(json.toFile()));
        }
        Set<String> mixes = new LinkedHashSet<>();
        runs.forEach(run ->
                run.path("mixes").forEach(mix -> mixes.add(mix.path("mix").asText())));
        for (String mix : mixes) {
            System.out.println(table(mix, builds, runs));
        }
    }

    private static String table(String mixName, List<String> builds, List<JsonNode> runs) {
        StringBuilder t = new StringBuilder("| ").append(mixName).append(" | run |");
        FIGURES.forEach(f -> t.append(' ').append(f.heading()).append(" |"));
        t.append("\n|---|--:|").append("--:|".repeat(FIGURES.size())).append('\n');
        Map<String, List<JsonNode>> byBuild = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            JsonNode mix = mixNamed(runs.get(i), mixName);
            if (mix == null) {
                continue;
            }
            byBuild.computeIfAbsent(builds.get(i), b -> new ArrayList<>()).add(mix);
            t.append("| ").append(builds.get(i)).append(" | ").append(i + 1).append(" |");
            FIGURES.forEach(f ->
                    t.append(' ').append(f.text(f.value().applyAsDouble(mix))).append(" |"));
            t.append('\n');
        }
        byBuild.forEach((build, mixes) -> {
            t.append("| ")
                    .append(build)
                    .append(" | median of ")
                    .append(mixes.size())
                    .append(" |");
            for (Figure f : FIGURES) {
                t.append(' ')
                        .append(f.text(
                                median(mixes.stream().mapToDouble(f.value()).toArray())))
                        .append(" |");
            }
            t.append('\n');
        });
        return t.toString();
    }

    private static JsonNode mixNamed(JsonNode run, String name) {
        for (JsonNode mix : run.path("mixes")) {
            if (mix.path("mix").asText().equals(name)) {
                return mix;
            }
        }
        return null;
    }

    /** The median of the values that are numbers; NaN when none is. */
    private static double median(double[] values) {
        double[] numbers =
                Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (numbers.length == 0) {
            return Double.NaN;
        }
        int mid = numbers.length / 2;
        return numbers.length % 2 == 1 ? numbers[mid] : (numbers[mid - 1] + numbers[mid]) / 2;
    }
}
