package dev.patchtide.server.auth;

import dev.patchtide.core.auth.ParsedAuthorization;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Exception;
import dev.patchtide.core.auth.SignableRequest;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import java.time.InstantSource;
import java.util.List;

/** Turns a Signature V4 signed request into the {@link Principal} that signed it, or an AWS-shaped error. */
public final class Authenticator {
    private final AccessKeyStore keys;
    private final String region;
    private final InstantSource clock;

    public Authenticator(AccessKeyStore keys, String region, InstantSource clock) {
        this.keys = keys;
        this.region = region;
        this.clock = clock;
    }

    /**
     * The principal that signed {@code request} with a credential scoped to this server's region and to {@code
     * expectedService} (the signing name of the API called, see {@link SigningNames}).
     */
    public Principal authenticate(SignableRequest request, String expectedService) {
        List<String> authorization = request.headers().getOrDefault("authorization", List.of());
        if (authorization.isEmpty()) {
            throw new ApiException.Unauthenticated(
                    "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        try {
            ParsedAuthorization parsed = SigV4.parseAuthorization(authorization.getFirst());
            if (!parsed.service().equals(expectedService)) {
                // AWS's words, trailing space included.
                throw new ApiException.Unauthenticated(
                        "InvalidSignatureException",
                        "Credential should be scoped to correct service: '" + expectedService + "'. ");
            }
            AccessKeyStore.StoredKey key = keys.find(parsed.accessKeyId())
                    .orElseThrow(() -> new ApiException.Unauthenticated(
                            "UnrecognizedClientException", "The security token included in the request is invalid."));
            if (!parsed.region().equals(region)) {
                throw new ApiException.Unauthenticated(
                        "InvalidSignatureException",
                        "Credential should be scoped to a valid region, not '" + Validation.clip(parsed.region())
                                + "'. This server's" + " region is '" + region + "'.");
            }
            SigV4.verify(request, parsed, key.secretAccessKey(), clock.instant());
            return key.principal();
        } catch (SigV4Exception e) {
            throw switch (e.kind()) {
                case MISSING_AUTHENTICATION ->
                    new ApiException.Unauthenticated("MissingAuthenticationTokenException", e.getMessage());
                case INCOMPLETE_SIGNATURE ->
                    new ApiException.Unauthenticated("IncompleteSignatureException", e.getMessage());
                case SIGNATURE_EXPIRED, SIGNATURE_MISMATCH ->
                    new ApiException.Unauthenticated("InvalidSignatureException", e.getMessage());
            };
        }
    }
}
