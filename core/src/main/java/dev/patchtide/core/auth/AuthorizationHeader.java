package dev.patchtide.core.auth;

import dev.patchtide.core.auth.SigV4Exception.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=…, Signature=…}. */
final class AuthorizationHeader {
    private static final List<String> REQUIRED = List.of("Credential", "SignedHeaders", "Signature");

    private AuthorizationHeader() {}

    static ParsedAuthorization parse(String value) throws SigV4Exception {
        if (value == null || value.isBlank()) {
            throw new SigV4Exception(Kind.MISSING_AUTHENTICATION, "Missing Authentication Token");
        }
        String header = value.strip();
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        if (!scheme.equals(SigV4.ALGORITHM)) {
            // Only the scheme is echoed: whatever follows may be a password.
            throw new SigV4Exception(
                    Kind.MISSING_AUTHENTICATION,
                    "Authorization header must use " + SigV4.ALGORITHM + " (Signature Version 4), not '" + scheme
                            + "'.");
        }
        Map<String, String> parts = parameters(header, space < 0 ? "" : header.substring(space + 1));
        StringBuilder missing = new StringBuilder();
        for (String name : REQUIRED) {
            if (parts.getOrDefault(name, "").isEmpty()) {
                missing.append("Authorization header requires '").append(name).append("' parameter. ");
            }
        }
        if (!missing.isEmpty()) {
            throw SigV4.incomplete(missing + "Authorization=" + header);
        }
        String credential = parts.get("Credential");
        String[] scope = credential.split("/", -1);
        if (scope.length != 5 || List.of(scope).contains("")) {
            throw SigV4.incomplete("Credential must have exactly 5 slash-delimited elements, e.g."
                    + " keyid/date/region/service/term, got '" + credential + "'");
        }
        if (!scope[4].equals(SigV4.TERMINATOR)) {
            // A well-formed header scoped wrongly: AWS answers InvalidSignatureException, as for a wrong region.
            throw new SigV4Exception(
                    Kind.SIGNATURE_MISMATCH,
                    "Credential should be scoped with a valid terminator: '" + SigV4.TERMINATOR + "', not '" + scope[4]
                            + "'.");
        }
        if (!eightDigits(scope[1])) {
            throw SigV4.incomplete("Credential should be scoped to a date as yyyyMMdd, not '" + scope[1] + "'.");
        }
        List<String> signedHeaders = List.of(parts.get("SignedHeaders").split(";", -1));
        if (signedHeaders.contains("")) {
            throw SigV4.incomplete(
                    "SignedHeaders must be header names separated by ';': '" + parts.get("SignedHeaders") + "'.");
        }
        return new ParsedAuthorization(scope[0], scope[1], scope[2], scope[3], signedHeaders, parts.get("Signature"));
    }

    /**
     * Whether the text is exactly eight ASCII digits, as {@code \\d{8}} says; checked by hand because every
     * signed request passes here, and String.matches compiles its pattern on each call.
     */
    static boolean eightDigits(String s) {
        if (s.length() != 8) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> parameters(String header, String list) throws SigV4Exception {
        Map<String, String> parts = new HashMap<>();
        if (list.isBlank()) {
            return parts;
        }
        for (String part : list.split(",", -1)) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw SigV4.incomplete("'" + p + "' not a valid key=value pair (missing equal-sign) in"
                        + " Authorization header: '" + header + "'.");
            }
            parts.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return parts;
    }
}
