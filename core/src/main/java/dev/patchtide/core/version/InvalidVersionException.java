package dev.patchtide.core.version;

/** A version string that its packaging scheme does not allow; the message says which part and why. */
public final class InvalidVersionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidVersionException(String scheme, String version, String reason) {
        super("invalid " + scheme + " version '" + version + "': " + reason);
    }
}
