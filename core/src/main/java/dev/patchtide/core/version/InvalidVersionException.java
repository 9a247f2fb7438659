package dev.patchtide.core.version;

/** A version string that its packaging scheme does not allow; the message says which part and why. */
public final class InvalidVersionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidVersionException(String scheme, String version, String reason) {
        super("invalid " + scheme + " version '" + shortened(version) + "': " + reason);
    }

    /** A version is echoed for the reader, but never a huge one. */
    private static String shortened(String version) {
        return version.length() <= 80 ? version : version.substring(0, 80) + "...";
    }
}
