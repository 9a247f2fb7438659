package dev.patchtide.server.api;

/**
 * An error that reaches the client in AWS's error shape. The {@link #code()} is the AWS error name a
 * client branches on (for example {@code InvalidInstanceId}), so it is part of the API contract and may
 * differ per action as AWS's does; the message is for people. The subclass says what kind of failure it
 * is: code that handles one kind catches that subclass only, and {@link ErrorWire} turns the kind into
 * an HTTP status, in one place.
 */
public abstract sealed class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * The longest message sent: a last guard for messages that quote caller input (the usual quoting goes
     * through {@link Validation#clip}), so no error ever carries megabytes back or into a log.
     */
    static final int MAX_MESSAGE = 1024;

    private final String code;

    private ApiException(String code, String message) {
        super(bounded(message), null, false, false);
        this.code = code;
    }

    private static String bounded(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message;
        }
        int end = MAX_MESSAGE - 3;
        return message.substring(0, Character.isHighSurrogate(message.charAt(end - 1)) ? end - 1 : end) + "...";
    }

    public final String code() {
        return code;
    }

    /** The request is malformed or breaks a constraint; sending it again unchanged fails again. */
    public static final class Invalid extends ApiException {
        private static final long serialVersionUID = 1L;

        public Invalid(String code, String message) {
            super(code, message);
        }
    }

    /** The request names something that does not exist (or no longer does). */
    public static final class NotFound extends ApiException {
        private static final long serialVersionUID = 1L;

        public NotFound(String code, String message) {
            super(code, message);
        }
    }

    /** The request clashes with what exists: already exists, still in use, or in the wrong state. */
    public static final class Conflict extends ApiException {
        private static final long serialVersionUID = 1L;

        public Conflict(String code, String message) {
            super(code, message);
        }
    }

    /** A quota would be exceeded. */
    public static final class LimitExceeded extends ApiException {
        private static final long serialVersionUID = 1L;

        public LimitExceeded(String code, String message) {
            super(code, message);
        }
    }

    /** The request is too large to be read at all. */
    public static final class TooLarge extends ApiException {
        private static final long serialVersionUID = 1L;

        public TooLarge(String code, String message) {
            super(code, message);
        }
    }

    /** Who sent the request is unknown: no signature, a bad one, or an unknown key. */
    public static final class Unauthenticated extends ApiException {
        private static final long serialVersionUID = 1L;

        public Unauthenticated(String code, String message) {
            super(code, message);
        }
    }

    /** The caller is known but may not do this. */
    public static final class AccessDenied extends ApiException {
        private static final long serialVersionUID = 1L;

        public AccessDenied(String code, String message) {
            super(code, message);
        }
    }

    /** The server could not do it now; the same request may succeed later. */
    public static final class Transient extends ApiException {
        private static final long serialVersionUID = 1L;

        public Transient(String code, String message) {
            super(code, message);
        }
    }

    /** The database had no connection for this request in time (the pool's wait ran out): retry later. */
    public static Transient busy() {
        return new Transient("ThrottlingException", "The server is busy; retry later.");
    }

    /** Whether {@code e} comes from the connection pool's wait running out (HikariCP's transient exception). */
    public static boolean noConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /** {@code ValidationException}, the code most constraint violations carry. */
    public static Invalid validation(String message) {
        return new Invalid("ValidationException", message);
    }

    public static AccessDenied accessDenied(String message) {
        return new AccessDenied("AccessDeniedException", message);
    }
}
