package dev.patchtide.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SigV4Test {
    static final SigV4Credentials KEY = new SigV4Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    static final Instant NOW = Instant.parse("2026-11-22T15:05:20Z");
    static final byte[] BODY = "{\"MaxResults\": 10}".getBytes(StandardCharsets.UTF_8);

    /** Signed by botocore 1.43 (the AWS CLI's signer) with KEY at NOW, headers exactly as it sent them. */
    static Map<String, List<String>> botocoreHeaders() {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of("127.0.0.1:8420"));
        headers.put("Content-Type", List.of("application/x-amz-json-1.1"));
        headers.put("X-Amz-Target", List.of("AmazonSSM.DescribeActivations"));
        headers.put("X-Amz-Date", List.of("20261122T150520Z"));
        headers.put(
                "Authorization",
                List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/ssm/aws4_request,"
                        + " SignedHeaders=content-type;host;x-amz-date;x-amz-target,"
                        + " Signature=86a232b8ab468e6477b29b7c51b54e26994b823053e7bbb77ac284099b36abc0"));
        return headers;
    }

    @Test
    void acceptsARequestSignedByBotocore() throws Exception {
        SignableRequest request = new SignableRequest("POST", "/", "", botocoreHeaders(), BODY);
        ParsedAuthorization auth =
                SigV4.parseAuthorization(request.headers().get("Authorization").getFirst());
        assertThat(auth.accessKeyId()).isEqualTo("AKIDEXAMPLE");
        assertThat(auth.region()).isEqualTo("us-east-1");
        assertThat(auth.service()).isEqualTo("ssm");
        SigV4.verify(request, auth, KEY.secretAccessKey(), NOW);
    }

    @Test
    void signsExactlyAsBotocoreDoes() {
        Map<String, List<String>> unsigned = botocoreHeaders();
        unsigned.remove("Authorization");
        unsigned.remove("X-Amz-Date");
        Map<String, String> sent =
                SigV4.sign(new SignableRequest("POST", "/", "", unsigned, BODY), KEY, "us-east-1", "ssm", NOW);
        assertThat(sent.get("Authorization"))
                .isEqualTo(botocoreHeaders().get("Authorization").getFirst());
        assertThat(sent.get("X-Amz-Date")).isEqualTo("20261122T150520Z");
    }

    @Test
    void tamperedBodyOrHeaderOrWrongSecretIsAMismatch() throws Exception {
        ParsedAuthorization auth =
                SigV4.parseAuthorization(botocoreHeaders().get("Authorization").getFirst());
        byte[] otherBody = "{\"MaxResults\": 11}".getBytes(StandardCharsets.UTF_8);
        assertKind(
                () -> SigV4.verify(request(botocoreHeaders(), otherBody), auth, KEY.secretAccessKey(), NOW),
                SigV4Exception.Kind.SIGNATURE_MISMATCH);

        Map<String, List<String>> retargeted = botocoreHeaders();
        retargeted.put("X-Amz-Target", List.of("AmazonSSM.DeleteActivation"));
        assertKind(
                () -> SigV4.verify(request(retargeted, BODY), auth, KEY.secretAccessKey(), NOW),
                SigV4Exception.Kind.SIGNATURE_MISMATCH);

        assertKind(
                () -> SigV4.verify(request(botocoreHeaders(), BODY), auth, "another-secret", NOW),
                SigV4Exception.Kind.SIGNATURE_MISMATCH);
    }

    @Test
    void signaturesOlderOrNewerThanFifteenMinutesHaveExpired() throws Exception {
        ParsedAuthorization auth =
                SigV4.parseAuthorization(botocoreHeaders().get("Authorization").getFirst());
        SigV4.verify(request(botocoreHeaders(), BODY), auth, KEY.secretAccessKey(), NOW.plus(Duration.ofMinutes(15)));
        assertThatThrownBy(() -> SigV4.verify(
                        request(botocoreHeaders(), BODY),
                        auth,
                        KEY.secretAccessKey(),
                        NOW.plus(Duration.ofMinutes(16))))
                .isInstanceOfSatisfying(SigV4Exception.class, e -> assertThat(e.kind())
                        .isEqualTo(SigV4Exception.Kind.SIGNATURE_EXPIRED))
                .hasMessageContaining("Signature expired: 20261122T150520Z is now earlier than");
        assertKind(
                () -> SigV4.verify(
                        request(botocoreHeaders(), BODY),
                        auth,
                        KEY.secretAccessKey(),
                        NOW.minus(Duration.ofMinutes(16))),
                SigV4Exception.Kind.SIGNATURE_EXPIRED);
    }

    @Test
    void malformedOrMissingAuthorizationIsNamed() {
        assertKind(() -> SigV4.parseAuthorization(""), SigV4Exception.Kind.MISSING_AUTHENTICATION);
        assertKind(() -> SigV4.parseAuthorization("Basic dXNlcjpwYXNz"), SigV4Exception.Kind.MISSING_AUTHENTICATION);
        assertThatThrownBy(() -> SigV4.parseAuthorization(
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/ssm/aws4_request,"
                                + " SignedHeaders=host"))
                .isInstanceOfSatisfying(SigV4Exception.class, e -> assertThat(e.kind())
                        .isEqualTo(SigV4Exception.Kind.INCOMPLETE_SIGNATURE))
                .hasMessageContaining("Signature");
        assertKind(
                () -> SigV4.parseAuthorization(
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1, SignedHeaders=host, Signature=ab"),
                SigV4Exception.Kind.INCOMPLETE_SIGNATURE);
    }

    @Test
    void hostMustBeSignedAndSignedHeadersPresentAndScopeDateMatch() throws Exception {
        Map<String, String> sent = signedBy(KEY);
        Map<String, List<String>> headers = asHeaders(sent);

        ParsedAuthorization noHost =
                new ParsedAuthorization("AKIDEXAMPLE", "20261122", "us-east-1", "ssm", List.of("x-amz-date"), "00");
        assertKind(
                () -> SigV4.verify(request(headers, BODY), noHost, KEY.secretAccessKey(), NOW),
                SigV4Exception.Kind.INCOMPLETE_SIGNATURE);

        Map<String, List<String>> withoutTarget = asHeaders(sent);
        withoutTarget.remove("X-Amz-Target");
        ParsedAuthorization auth = SigV4.parseAuthorization(sent.get("Authorization"));
        assertKind(
                () -> SigV4.verify(request(withoutTarget, BODY), auth, KEY.secretAccessKey(), NOW),
                SigV4Exception.Kind.INCOMPLETE_SIGNATURE);

        ParsedAuthorization yesterday = new ParsedAuthorization(
                "AKIDEXAMPLE", "20261121", "us-east-1", "ssm", auth.signedHeaders(), auth.signature());
        assertKind(
                () -> SigV4.verify(request(headers, BODY), yesterday, KEY.secretAccessKey(), NOW),
                SigV4Exception.Kind.INCOMPLETE_SIGNATURE);
    }

    @Test
    void canonicalQueryIsSortedAndEncoded() {
        assertThat(CanonicalRequest.canonicalQuery("b=2&a=x y&a=1&c")).isEqualTo("a=1&a=x%20y&b=2&c=");
        assertThat(CanonicalRequest.canonicalQuery("k=%2Fpath%7E")).isEqualTo("k=%2Fpath~");
        assertThat(CanonicalRequest.canonicalUri("")).isEqualTo("/");
        assertThat(CanonicalRequest.canonicalUri("/a b/%41")).isEqualTo("/a%20b/%2541");
    }

    private static Map<String, String> signedBy(SigV4Credentials key) {
        Map<String, List<String>> unsigned = botocoreHeaders();
        unsigned.remove("Authorization");
        unsigned.remove("X-Amz-Date");
        return SigV4.sign(new SignableRequest("POST", "/", "", unsigned, BODY), key, "us-east-1", "ssm", NOW);
    }

    private static Map<String, List<String>> asHeaders(Map<String, String> sent) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sent.forEach((name, value) -> headers.put(name, List.of(value)));
        return headers;
    }

    private static SignableRequest request(Map<String, List<String>> headers, byte[] body) {
        return new SignableRequest("POST", "/", "", headers, body);
    }

    interface Check {
        void run() throws Exception;
    }

    private static void assertKind(Check check, SigV4Exception.Kind kind) {
        assertThatThrownBy(check::run).isInstanceOfSatisfying(SigV4Exception.class, e -> assertThat(e.kind())
                .isEqualTo(kind));
    }
}
