package dev.plumber.status;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The life of a DLP request (SPEC §5). */
public enum Status {
    RECEIVED,
    SENDING,
    RETRYING,
    ALLOWED,
    BLOCKED,
    ACCEPTED,
    FAILED,
    SKIPPED;

    /** The terminal statuses as an SQL list, {@code ('ALLOWED','BLOCKED',…)}, for {@code status IN …}. */
    public static final String TERMINAL_SQL = Arrays.stream(values())
            .filter(Status::terminal)
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(",", "(", ")"));

    /** Terminal statuses are decided once: a re-delivered event never changes them. */
    public boolean terminal() {
        return switch (this) {
            case ALLOWED, BLOCKED, ACCEPTED, FAILED, SKIPPED -> true;
            case RECEIVED, SENDING, RETRYING -> false;
        };
    }
}
