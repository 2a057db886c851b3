package dev.plumber.delivery;

/**
 * What a DLP answered for one event.
 *
 * @param reason why it was blocked (from the DLP's headers), or null
 * @param reference the DLP's own reference: the ICAP ISTag or the Traffic Monitor event id
 */
public record Verdict(Outcome outcome, String reason, String reference) {

    /** The terminal outcomes a DLP answer maps to (SPEC §5). */
    public enum Outcome {
        ALLOWED,
        BLOCKED,
        ACCEPTED;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        /** The outcome as the DLP calls' meter tags it. */
        public String label() {
            return label;
        }
    }

    public static Verdict allowed(String reference) {
        return new Verdict(Outcome.ALLOWED, null, reference);
    }

    public static Verdict blocked(String reason, String reference) {
        return new Verdict(Outcome.BLOCKED, reason, reference);
    }

    public static Verdict accepted(String reference) {
        return new Verdict(Outcome.ACCEPTED, null, reference);
    }
}
