package dev.patchtide.core.auth;

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
 * AWS Signature Version 4 (header-based), both sides: the agent and the CLI sign, the server verifies.
 * Requests signed by botocore (the AWS CLI) and the AWS SDK for Java v2 verify here byte for byte.
 */
public final class SigV4 {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);

    private SigV4() {}

    /**
     * Signs {@code request}, returning the headers to send: its own plus {@code X-Amz-Date} and
     * {@code Authorization}. Signs {@code host}, {@code content-type} and every {@code x-amz-*} header.
     */
    public static Map<String, String> sign(
            SignableRequest request, SigV4Credentials credentials, String region, String service, Instant now) {
        String amzDate = AMZ_DATE.format(now);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(request.headers());
        headers.put("X-Amz-Date", List.of(amzDate));
        List<String> signed = new ArrayList<>();
        for (String name : headers.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("host") || lower.equals("content-type") || lower.startsWith("x-amz-")) {
                signed.add(lower);
            }
        }
        signed.sort(null);
        SignableRequest withDate =
                new SignableRequest(request.method(), request.path(), request.query(), headers, request.body());
        ParsedAuthorization scope = new ParsedAuthorization(
                credentials.accessKeyId(), amzDate.substring(0, 8), region, service, signed, "");
        String signature = signature(withDate, scope, amzDate, credentials.secretAccessKey());

        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((name, values) -> out.put(name, String.join(",", values)));
        out.put(
                "Authorization",
                ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope.scope() + ", SignedHeaders="
                        + String.join(";", signed) + ", Signature=" + signature);
        return out;
    }

    public static ParsedAuthorization parseAuthorization(String headerValue) throws SigV4Exception {
        return AuthorizationHeader.parse(headerValue);
    }

    /** Checks the signature, its freshness against {@code now}, and that its scope fits the request's date. */
    public static void verify(
            SignableRequest request, ParsedAuthorization authorization, String secretAccessKey, Instant now)
            throws SigV4Exception {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(request.headers());
        if (!authorization.signedHeaders().contains("host")) {
            throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }
        for (String name : authorization.signedHeaders()) {
            if (!headers.containsKey(name)) {
                throw incomplete("The request is missing the signed header '" + name + "'.");
            }
        }
        String amzDate = first(headers, "x-amz-date");
        Instant signedAt = signedAt(amzDate, first(headers, "date"));
        if (amzDate == null) {
            amzDate = AMZ_DATE.format(signedAt);
        }
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            String edge = AMZ_DATE.format(signedAt.isBefore(now) ? now.minus(MAX_SKEW) : now.plus(MAX_SKEW));
            String relation = signedAt.isBefore(now) ? "earlier" : "later";
            String sign = signedAt.isBefore(now) ? "-" : "+";
            throw new SigV4Exception(
                    SigV4Exception.Kind.SIGNATURE_EXPIRED,
                    "Signature expired: " + amzDate + " is now " + relation + " than " + edge + " ("
                            + AMZ_DATE.format(now) + " " + sign + " 15 min.)");
        }
        if (!authorization.date().equals(amzDate.substring(0, 8))) {
            throw incomplete("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
                    + " HTTP: '" + authorization.date() + "' != '" + amzDate.substring(0, 8) + "'");
        }
        SignableRequest normalised =
                new SignableRequest(request.method(), request.path(), request.query(), headers, request.body());
        String expected = signature(normalised, authorization, amzDate, secretAccessKey);
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII),
                authorization.signature().getBytes(StandardCharsets.US_ASCII))) {
            throw new SigV4Exception(
                    SigV4Exception.Kind.SIGNATURE_MISMATCH,
                    "The request signature we calculated does not match the signature you provided. Check your AWS"
                            + " Secret Access Key and signing method. Consult the service documentation for details.");
        }
    }

    private static String signature(
            SignableRequest request, ParsedAuthorization scope, String amzDate, String secretAccessKey) {
        String canonicalRequest = CanonicalRequest.of(request, scope.signedHeaders());
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope.scope() + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), scope.date());
        key = hmac(key, scope.region());
        key = hmac(key, scope.service());
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    private static Instant signedAt(String amzDate, String httpDate) throws SigV4Exception {
        try {
            if (amzDate != null) {
                return AMZ_DATE.parse(amzDate, Instant::from);
            }
            if (httpDate != null) {
                return DateTimeFormatter.RFC_1123_DATE_TIME.parse(httpDate, Instant::from);
            }
        } catch (DateTimeParseException e) {
            throw incomplete("Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'.");
        }
        throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    static SigV4Exception incomplete(String message) {
        return new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE, message);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
