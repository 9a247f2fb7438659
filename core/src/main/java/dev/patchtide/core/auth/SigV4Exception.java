package dev.patchtide.core.auth;

/** Why a request's signature was not accepted. */
public final class SigV4Exception extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** No Authorization header, or not a Signature V4 one. */
        MISSING_AUTHENTICATION,
        /** An Authorization header that cannot be parsed, or lacks a required part. */
        INCOMPLETE_SIGNATURE,
        /** Signed too long ago, or too far in the future. */
        SIGNATURE_EXPIRED,
        /** The signature does not match the request. */
        SIGNATURE_MISMATCH
    }

    private final Kind kind;

    public SigV4Exception(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
