package dev.patchtide.core.auth;

/** An access key pair. */
public record SigV4Credentials(String accessKeyId, String secretAccessKey) {
    public SigV4Credentials {
        if (accessKeyId == null || accessKeyId.isBlank()) {
            throw new IllegalArgumentException("accessKeyId must not be blank");
        }
        if (secretAccessKey == null || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("secretAccessKey must not be blank");
        }
    }

    @Override
    public String toString() {
        return "SigV4Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
    }
}
