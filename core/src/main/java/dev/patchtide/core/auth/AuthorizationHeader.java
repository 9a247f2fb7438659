package dev.patchtide.core.auth;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code AWS4-HMAC-SHA256 Credential=…/date/region/service/aws4_request, SignedHeaders=…, Signature=…}. */
final class AuthorizationHeader {
    private AuthorizationHeader() {}

    static ParsedAuthorization parse(String value) throws SigV4Exception {
        if (value == null || value.isBlank()) {
            throw new SigV4Exception(SigV4Exception.Kind.MISSING_AUTHENTICATION, "Missing Authentication Token");
        }
        String trimmed = value.strip();
        if (!trimmed.startsWith(SigV4.ALGORITHM + " ")) {
            throw new SigV4Exception(
                    SigV4Exception.Kind.MISSING_AUTHENTICATION,
                    "Authorization header must use " + SigV4.ALGORITHM + " (Signature Version 4).");
        }
        Map<String, String> parts = new HashMap<>();
        for (String part : trimmed.substring(SigV4.ALGORITHM.length()).split(",")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw SigV4.incomplete("Authorization header requires parameters as key=value pairs. Got '" + p + "'.");
            }
            parts.put(p.substring(0, eq), p.substring(eq + 1));
        }
        for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
            if (!parts.containsKey(required) || parts.get(required).isEmpty()) {
                throw SigV4.incomplete(
                        "Authorization header requires '" + required + "' parameter. Authorization=" + trimmed);
            }
        }
        String[] credential = parts.get("Credential").split("/");
        if (credential.length != 5 || !credential[4].equals("aws4_request") || !credential[1].matches("\\d{8}")) {
            throw SigV4.incomplete("Credential should be scoped to a valid date, region and service, ending in"
                    + " aws4_request: '" + parts.get("Credential") + "'.");
        }
        return new ParsedAuthorization(
                credential[0],
                credential[1],
                credential[2],
                credential[3],
                List.of(parts.get("SignedHeaders").split(";")),
                parts.get("Signature"));
    }
}
