package dev.patchtide.core.auth;

import dev.patchtide.core.auth.SigV4Exception.Kind;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (in the Authorization header), both sides: the agent and the CLI sign, the server verifies.
 * Requests signed by botocore (the AWS CLI) and by the AWS SDK for Java v2 verify here, and ours verify there.
 */
public final class SigV4 {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String TERMINATOR = "aws4_request";
    static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    // Looking a provider up costs more than hashing a request's few hundred bytes (JFR: getInstance was most of
    // verify's digest and HMAC time), so each use clones one looked up once; a clone shares no state.
    private static final MessageDigest SHA256 = lookUpSha256();
    private static final Mac HMAC_SHA256 = lookUpHmac();

    private SigV4() {}

    /**
     * Signs {@code request}, returning the headers to send: its own (repeated ones joined by ',') plus {@code
     * X-Amz-Date} and {@code Authorization}. Signs {@code host}, {@code content-type} and every {@code x-amz-*}
     * header; the Host header must be the one the HTTP client will send, such as {@code 127.0.0.1:8080}.
     */
    public static Map<String, String> sign(
            SignableRequest request, SigV4Credentials credentials, String region, String service, Instant now) {
        if (!request.headers().containsKey("host")) {
            throw new IllegalArgumentException("Signature V4 signs the Host header, and the request has none");
        }
        if (region.isBlank() || service.isBlank()) {
            throw new IllegalArgumentException("region and service must not be blank");
        }
        String amzDate = AMZ_DATE.format(now);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(request.headers());
        headers.remove("authorization"); // a retry's, which must not be sent twice
        headers.put("X-Amz-Date", List.of(amzDate));
        List<String> signed = new ArrayList<>();
        for (String name : headers.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("host") || lower.equals("content-type") || lower.startsWith("x-amz-")) {
                signed.add(lower);
            }
        }
        signed.sort(null);
        ParsedAuthorization scope = new ParsedAuthorization(
                credentials.accessKeyId(), amzDate.substring(0, 8), region, service, signed, "");
        SignableRequest withDate =
                new SignableRequest(request.method(), request.path(), request.query(), headers, request.body());
        String signature =
                signature(withDate, scope, amzDate, hex(sha256(request.body())), credentials.secretAccessKey());

        Map<String, String> out = new LinkedHashMap<>();
        // Values stripped before joining, so the receiver's canonical form of "a,b" is the one signed here.
        headers.forEach((name, values) -> out.put(
                name, String.join(",", values.stream().map(String::strip).toList())));
        out.put(
                "Authorization",
                ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope.scope() + ", SignedHeaders="
                        + String.join(";", signed) + ", Signature=" + signature);
        return out;
    }

    /** Parses an Authorization header, naming what is wrong with it as AWS would. */
    public static ParsedAuthorization parseAuthorization(String headerValue) throws SigV4Exception {
        return AuthorizationHeader.parse(headerValue);
    }

    /**
     * Checks that {@code authorization} signs {@code request} with {@code secretAccessKey}: host and every listed
     * header are present, the date (X-Amz-Date, else Date) is the credential scope's date and within 15 minutes of
     * {@code now}, and the signature matches.
     */
    public static void verify(
            SignableRequest request, ParsedAuthorization authorization, String secretAccessKey, Instant now)
            throws SigV4Exception {
        Map<String, List<String>> headers = request.headers();
        if (!authorization.signedHeaders().contains("host")) {
            throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }
        for (String name : authorization.signedHeaders()) {
            if (!headers.containsKey(name)) {
                throw incomplete("The request lacks the header '" + name + "', which SignedHeaders lists.");
            }
        }
        SignedAt signedAt = amzDate(headers);
        String amzDate = signedAt.text();
        if (!authorization.date().equals(amzDate.substring(0, 8))) {
            throw new SigV4Exception(
                    Kind.SIGNATURE_MISMATCH,
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
                            + authorization.date() + "' != '" + amzDate.substring(0, 8) + "', from '" + amzDate
                            + "'.");
        }
        checkSkew(amzDate, signedAt.instant(), now);
        // SDKs put the payload hash they signed in x-amz-content-sha256; the canonical request always takes the body's
        // own hash, so "UNSIGNED-PAYLOAD" fails here, as it must (an unsigned body could be swapped in transit).
        List<String> contentSha256 = headers.getOrDefault("x-amz-content-sha256", List.of());
        String bodyHash = hex(sha256(request.body())); // hashed once: compared here and signed below
        if (!contentSha256.isEmpty() && !contentSha256.getFirst().strip().equals(bodyHash)) {
            throw new SigV4Exception(
                    Kind.SIGNATURE_MISMATCH,
                    "The provided 'x-amz-content-sha256' header does not match what was computed: this service needs"
                            + " the SHA-256 of the body, not '" + contentSha256.getFirst() + "'.");
        }
        String expected = signature(request, authorization, amzDate, bodyHash, secretAccessKey);
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII),
                authorization.signature().getBytes(StandardCharsets.US_ASCII))) {
            throw new SigV4Exception(
                    Kind.SIGNATURE_MISMATCH,
                    "The request signature we calculated does not match the signature you provided. Check your AWS"
                            + " Secret Access Key and signing method. Consult the service documentation for details.");
        }
    }

    private static void checkSkew(String amzDate, Instant signedAt, Instant now) throws SigV4Exception {
        if (signedAt.isBefore(now.minus(MAX_SKEW))) {
            String nowText = AMZ_DATE.format(now); // formatted for the message only: most requests are on time
            throw new SigV4Exception(
                    Kind.SIGNATURE_EXPIRED,
                    "Signature expired: " + amzDate + " is now earlier than " + AMZ_DATE.format(now.minus(MAX_SKEW))
                            + " (" + nowText + " - 15 min.)");
        }
        if (signedAt.isAfter(now.plus(MAX_SKEW))) {
            String nowText = AMZ_DATE.format(now);
            throw new SigV4Exception(
                    Kind.SIGNATURE_EXPIRED,
                    "Signature not yet current: " + amzDate + " is still later than "
                            + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + nowText + " + 15 min.)");
        }
    }

    /** The signing time as text and as the instant it names (parsed once: the parse was a third of verify's time). */
    private record SignedAt(String text, Instant instant) {}

    /**
     * The X-Amz-Date parsed last: requests signed in the same second carry the same text, and a busy server verifies
     * thousands a second (the parse was ≈ 2 % of a scan report's server CPU, bench/README.md fleet11). A pure function
     * of the text, so a stale or racing entry is only a miss. Only a parsed text is kept (null before the first).
     */
    private static volatile SignedAt lastSignedAt;

    /** The signing time as {@code yyyyMMdd'T'HHmmss'Z'}: X-Amz-Date as sent, else the HTTP Date header converted. */
    private static SignedAt amzDate(Map<String, List<String>> headers) throws SigV4Exception {
        List<String> amzDate = headers.getOrDefault("x-amz-date", List.of());
        List<String> httpDate = headers.getOrDefault("date", List.of());
        if (!amzDate.isEmpty()) {
            String value = amzDate.getFirst().strip();
            SignedAt last = lastSignedAt;
            if (last != null && last.text().equals(value)) {
                return last;
            }
            try {
                SignedAt parsed = new SignedAt(value, AMZ_DATE.parse(value, Instant::from));
                lastSignedAt = parsed;
                return parsed;
            } catch (DateTimeParseException e) {
                throw incomplete(
                        "Date must be in ISO-8601 'basic format' (yyyyMMdd'T'HHmmss'Z'). Got '" + value + "'.");
            }
        }
        if (!httpDate.isEmpty()) {
            try {
                Instant at = DateTimeFormatter.RFC_1123_DATE_TIME.parse(httpDate.getFirst(), Instant::from);
                return new SignedAt(AMZ_DATE.format(at), at); // RFC 1123 has whole seconds, as the text does
            } catch (DateTimeParseException e) {
                throw incomplete("Date must be an RFC 1123 date. Got '" + httpDate.getFirst() + "'.");
            }
        }
        throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    private static String signature(
            SignableRequest request,
            ParsedAuthorization scope,
            String amzDate,
            String bodyHash,
            String secretAccessKey) {
        String canonicalRequest = CanonicalRequest.of(request, scope.signedHeaders(), bodyHash);
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope.scope() + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        return hex(hmac(SigningKeys.key(secretAccessKey, scope.date(), scope.region(), scope.service()), stringToSign));
    }

    /** The signing key of a secret for one day, region and service: four HMACs, the same all day. */
    static byte[] signingKey(String secretAccessKey, String date, String region, String service) {
        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, TERMINATOR);
    }

    static SigV4Exception incomplete(String message) {
        return new SigV4Exception(Kind.INCOMPLETE_SIGNATURE, message);
    }

    static byte[] sha256(byte[] data) {
        try {
            return ((MessageDigest) SHA256.clone()).digest(data);
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(data);
            } catch (GeneralSecurityException missing) {
                throw new IllegalStateException("every JDK has SHA-256", missing);
            }
        }
    }

    private static MessageDigest lookUpSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static Mac lookUpHmac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static Mac newHmac() throws GeneralSecurityException {
        try {
            return (Mac) HMAC_SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return Mac.getInstance("HmacSHA256"); // a provider whose Mac cannot be cloned: look it up each time
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = newHmac();
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
