package dev.plumber.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void readsWhatInstantParseReadsForEveryFractionLength() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_000_000_000L))
                    .plusNanos(random.nextInt(1_000_000_000));
            String text = instant.toString(); // 0, 3, 6 or 9 digits of a second
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(Instant.parse(text));
            String cut = cutFraction(text, 1 + random.nextInt(9));
            assertThat(Timestamps.parse(cut)).as(cut).isEqualTo(Instant.parse(cut));
        }
    }

    @Test
    void writesWhatInstantToStringWritesForEveryInstant() {
        Random random = new Random(11);
        int[] granularity = {1_000_000_000, 1_000_000, 1_000, 1};
        for (int i = 0; i < 40_000; i++) {
            int unit = granularity[i % granularity.length];
            Instant instant = Instant.ofEpochSecond(random.nextLong(-63_000_000_000L, 254_000_000_000L))
                    .plusNanos(random.nextInt(1_000_000_000 / unit) * (long) unit);
            assertThat(Timestamps.format(instant)).isEqualTo(instant.toString());
        }
        for (Instant edge : List.of(
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1),
                Instant.EPOCH,
                Instant.EPOCH.minusNanos(1),
                Instant.MIN,
                Instant.MAX)) {
            assertThat(Timestamps.format(edge)).isEqualTo(edge.toString());
        }
    }

    @Test
    void leavesEveryOtherFormToInstantParseAndAgreesWithIt() {
        for (String text : List.of(
                "2026-12-02t04:25:26z",
                "2026-12-02T04:25:26+03:00",
                "2026-12-02T23:59:60Z",
                "2026-12-02T24:00:00Z",
                "2028-02-29T00:00:00Z",
                "+12026-12-02T04:25:26Z",
                "2026-02-30T04:25:26Z",
                "2026-13-02T04:25:26Z",
                "2026-12-02T04:60:26Z",
                "2026-12-02T04:25:26.Z",
                "2026-12-02T04:25:26.1234567890Z",
                "2026-12-02T04:25:2xZ",
                "2026-12-02 04:25:26Z",
                "2026-12-02T04:25:26",
                "")) {
            Instant expected;
            try {
                expected = Instant.parse(text);
            } catch (DateTimeParseException refused) {
                assertThatThrownBy(() -> Timestamps.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
                continue;
            }
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(expected);
        }
        assertThatThrownBy(() -> Timestamps.parse("2026-02-30T04:25:26Z")).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void countsMicrosecondsSinceTheEpochDroppingAFractionOfOne() {
        assertThat(Timestamps.micros(Instant.parse("2026-12-07T10:15:30.123456789Z")))
                .isEqualTo(Instant.parse("2026-12-07T10:15:30.123456Z").getEpochSecond() * 1_000_000L + 123_456);
        assertThat(Timestamps.micros(Instant.EPOCH)).isZero();
        assertThat(Timestamps.micros(Instant.parse("1969-12-31T23:59:59.999999999Z")))
                .isEqualTo(-1);
        assertThatThrownBy(() -> Timestamps.micros(Instant.MAX)).isInstanceOf(ArithmeticException.class);
    }

    /** {@code text} (which ends in Z) with its fraction, if any, cut or padded to {@code digits} digits. */
    private static String cutFraction(String text, int digits) {
        String seconds = text.substring(0, 19);
        String fraction = text.length() > 20 ? text.substring(20, text.length() - 1) : "";
        fraction = (fraction + "000000000").substring(0, digits);
        return seconds + "." + fraction + "Z";
    }
}
