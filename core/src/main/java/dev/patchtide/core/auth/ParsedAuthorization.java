package dev.patchtide.core.auth;

import java.util.List;
import java.util.Objects;

/**
 * The parts of an {@code AWS4-HMAC-SHA256} Authorization header: the credential scope {@code
 * accessKeyId/date/region/service/aws4_request} (date as {@code yyyyMMdd}), the signed header names and the
 * signature in lower-case hex.
 */
public record ParsedAuthorization(
        String accessKeyId, String date, String region, String service, List<String> signedHeaders, String signature) {
    public ParsedAuthorization {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(signature, "signature");
        signedHeaders = List.copyOf(signedHeaders);
    }

    String scope() {
        return date + "/" + region + "/" + service + "/" + SigV4.TERMINATOR;
    }
}
