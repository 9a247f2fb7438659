package dev.patchtide.agent;

/** The server answered with an AWS-shaped error ({@code __type} and {@code message}). */
public final class ApiCallException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int httpStatus;

    public ApiCallException(String code, String message, int httpStatus) {
        super(code + ": " + message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The credential itself was refused: retrying with it will not help. */
    public boolean isCredentialRejected() {
        return code.equals("UnrecognizedClientException")
                || code.equals("InvalidSignatureException")
                || code.equals("AccessDeniedException");
    }

    /**
     * Whether trying the same call again later may succeed: the server could not be reached (any I/O error),
     * was busy or failing (5xx, 429, throttled), or refused the credential (a server restored from a backup
     * may know it again). Any other refusal is for good.
     */
    public static boolean isTransient(Exception e) {
        if (!(e instanceof ApiCallException api)) {
            return true;
        }
        return api.httpStatus() >= 500
                || api.httpStatus() == 429
                || api.code().contains("Throttl")
                || api.isCredentialRejected();
    }
}
