package dev.plumber.testkit;

import java.util.List;

/** Reads samples out of a {@code /metrics} page in the Prometheus text format. */
public final class PrometheusText {
    private PrometheusText() {}

    /** The sample lines of {@code metric} in {@code text}, labels and value. */
    public static List<String> samples(String text, String metric) {
        return text.lines()
                .filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                .toList();
    }

    /** The sum of the values of {@code samples} whose labels include {@code label} (e.g. a=\"b\"; "" for all). */
    public static double sum(List<String> samples, String label) {
        return samples.stream()
                .filter(line -> line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
