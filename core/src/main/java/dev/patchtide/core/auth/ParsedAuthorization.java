package dev.patchtide.core.auth;

import java.util.List;

/** The parts of an {@code AWS4-HMAC-SHA256} Authorization header. */
public record ParsedAuthorization(
        String accessKeyId, String date, String region, String service, List<String> signedHeaders, String signature) {

    String scope() {
        return date + "/" + region + "/" + service + "/aws4_request";
    }
}
