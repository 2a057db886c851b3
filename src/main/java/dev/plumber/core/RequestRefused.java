package dev.plumber.core;

/** A user's request the core refuses, with a reason the HTTP layer turns into a status and a JSON error. */
public final class RequestRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request was refused. */
    public enum Reason {
        INVALID,
        FORBIDDEN,
        NOT_FOUND,
        CONFLICT,
        TOO_LARGE
    }

    private final Reason reason;

    public RequestRefused(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static RequestRefused invalid(String message) {
        return new RequestRefused(Reason.INVALID, message);
    }

    public static RequestRefused forbidden(String message) {
        return new RequestRefused(Reason.FORBIDDEN, message);
    }

    public static RequestRefused notFound(String message) {
        return new RequestRefused(Reason.NOT_FOUND, message);
    }
}
