package dev.plumber.status;

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

    /** Terminal statuses are decided once: a re-delivered event never changes them. */
    public boolean terminal() {
        return switch (this) {
            case ALLOWED, BLOCKED, ACCEPTED, FAILED, SKIPPED -> true;
            case RECEIVED, SENDING, RETRYING -> false;
        };
    }
}
