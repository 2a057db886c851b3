package dev.plumber.delivery;

/** A failed delivery, classified: permanent failures go to the dead-letter topic, transient ones are retried. */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean permanent;
    private final String stage;

    private DeliveryException(String stage, String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.permanent = permanent;
    }

    public static DeliveryException permanent(String stage, String message, Throwable cause) {
        return new DeliveryException(stage, message, true, cause);
    }

    public static DeliveryException transientFailure(String stage, String message, Throwable cause) {
        return new DeliveryException(stage, message, false, cause);
    }

    public boolean permanent() {
        return permanent;
    }

    /** Where it failed: {@code decode}, {@code file}, {@code dlp}, … */
    public String stage() {
        return stage;
    }
}
