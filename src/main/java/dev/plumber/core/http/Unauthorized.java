package dev.plumber.core.http;

/** Missing or bad credentials: HTTP 401. */
final class Unauthorized extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unauthorized(String message) {
        super(message);
    }
}
