package dev.plumber.transport;

import dev.plumber.icap.IcapResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * What an ICAP service said in its OPTIONS answer (RFC 3507 §4.10).
 *
 * @param preview the preview size it wants, or null when it does not do previews
 * @param maxConnections how many connections it accepts from us ({@code Max-Connections}), or null when unsaid
 * @param expires when this answer must be fetched again ({@code Options-TTL})
 */
public record IcapOptions(
        IcapResponse response, Integer preview, boolean allow204, Integer maxConnections, Instant expires) {

    /** Used when the service sends no {@code Options-TTL}. */
    static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    static IcapOptions from(IcapResponse response, Instant now) {
        Integer preview = number(response.headers().first("Preview"));
        Integer ttl = number(response.headers().first("Options-TTL"));
        boolean allow204 = response.headers().hasToken("Allow", "204");
        Integer maxConnections = number(response.headers().first("Max-Connections"));
        Duration keep = ttl == null ? DEFAULT_TTL : Duration.ofSeconds(ttl);
        return new IcapOptions(
                response,
                preview,
                allow204,
                maxConnections == null || maxConnections == 0 ? null : maxConnections,
                now.plus(keep));
    }

    public boolean ok() {
        return response.status() == 200;
    }

    private static Integer number(String value) {
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.strip());
            return n < 0 ? null : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
