package dev.plumber.bench;

import dev.plumber.metrics.Meters;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Percentiles from raw samples, and from the gateway's Prometheus histograms. */
final class Percentiles {
    private static final Pattern BUCKET =
            Pattern.compile("^(plumber_[a-z_]+)_seconds_bucket\\{([^}]*)}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private Percentiles() {}

    /** The {@code q} quantile (0..1) of the samples, by the nearest rank; NaN when there are none. */
    static double of(long[] samples, double q) {
        if (samples.length == 0) {
            return Double.NaN;
        }
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** {@link #of} for samples in microseconds, in milliseconds. */
    static double millis(long[] micros, double q) {
        return of(micros, q) / 1000.0;
    }

    /** Cumulative DLP call counts by bucket upper bound (seconds), over all systems and outcomes. */
    static TreeMap<Double, Double> dlpBuckets(String prometheusText) {
        return buckets(prometheusText, Meters.DLP_CALLS, "");
    }

    /**
     * The {@code q} quantile in milliseconds of a status store timer ({@link Meters#STATUS_WAITS}, {@link
     * Meters#STATUS_FLUSHES}, {@link Meters#STATUS_QUEUE}) of one kind ({@code lookup}, {@code write}) between two
     * scrapes, as {@link #fromBuckets} takes it.
     */
    static double status(String before, String after, String metric, String op, double q) {
        String labels = "op=\"" + op + "\"";
        return fromBuckets(buckets(before, metric, labels), buckets(after, metric, labels), q);
    }

    /** How many a status-store histogram of one kind counted between two scrapes (0 if it never had a bucket). */
    static double statusCount(String before, String after, String metric, String op) {
        String labels = "op=\"" + op + "\"";
        return buckets(after, metric, labels).getOrDefault(Double.POSITIVE_INFINITY, 0.0)
                - buckets(before, metric, labels).getOrDefault(Double.POSITIVE_INFINITY, 0.0);
    }

    /** The buckets of one histogram, summed over the series whose labels contain {@code labels}. */
    private static TreeMap<Double, Double> buckets(String prometheusText, String metric, String labels) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Matcher m = BUCKET.matcher(prometheusText);
        while (m.find()) {
            Matcher le = LE.matcher(m.group(2));
            if (m.group(1).equals(metric) && m.group(2).contains(labels) && le.find()) {
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                buckets.merge(bound, Double.parseDouble(m.group(3)), Double::sum);
            }
        }
        return buckets;
    }

    /**
     * The {@code q} quantile in milliseconds of what was timed between two scrapes (NaN if nothing was): the upper bound of the bucket it falls
     * in (Micrometer's buckets are about 10 % apart, so this overstates by at most that).
     */
    static double fromBuckets(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double q) {
        if (after.isEmpty()) {
            return Double.NaN;
        }
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> e : after.entrySet()) {
            double count = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (count >= q * total) {
                return e.getKey() * 1000;
            }
        }
        return Double.NaN;
    }
}
