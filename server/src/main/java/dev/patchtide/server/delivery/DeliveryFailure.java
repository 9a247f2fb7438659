package dev.patchtide.server.delivery;

/** A destination refused or did not answer. Non-retryable failures go to the dead letters at once. */
public final class DeliveryFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    private DeliveryFailure(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Worth trying again later: a timeout, a 5xx, a 429, a refused connection. */
    public static DeliveryFailure retryable(String message, Throwable cause) {
        return new DeliveryFailure(message, true, cause);
    }

    public static DeliveryFailure retryable(String message) {
        return new DeliveryFailure(message, true, null);
    }

    /** Will never succeed as it is: a 4xx, a destination that no longer exists, a payload it rejects. */
    public static DeliveryFailure permanent(String message) {
        return new DeliveryFailure(message, false, null);
    }

    public boolean retryable() {
        return retryable;
    }
}
