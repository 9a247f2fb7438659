package dev.patchtide.core.auth;

import java.util.Objects;

/** Why a request's signature was not accepted; {@link #kind()} picks the AWS error code to answer with. */
public final class SigV4Exception extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** No Authorization header, or not a Signature V4 one: MissingAuthenticationTokenException. */
        MISSING_AUTHENTICATION,
        /** An Authorization header that cannot be parsed, or lacks a part or a date: IncompleteSignatureException. */
        INCOMPLETE_SIGNATURE,
        /** Signed more than 15 minutes before or after now: InvalidSignatureException. */
        SIGNATURE_EXPIRED,
        /** The signature, or its credential scope, does not fit the request: InvalidSignatureException. */
        SIGNATURE_MISMATCH
    }

    private final Kind kind;

    public SigV4Exception(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
