package dev.patchtide.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.core.auth.SigV4Exception.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

class SigV4Test {
    static final SigV4Credentials KEY = new SigV4Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    static final String SECRET = KEY.secretAccessKey();
    static final Instant NOW = Instant.parse("2026-11-22T15:05:20Z");
    static final byte[] BODY = "{\"MaxResults\": 10}".getBytes(StandardCharsets.UTF_8);

    /**
     * What the server received from botocore 1.43.11 (the AWS CLI's library) for {@code
     * client('ssm').describe_activations(MaxResults=10)} against http://127.0.0.1:8420 with KEY, its clock ({@code
     * botocore.auth.get_current_datetime}) fixed at NOW: headers in their order on the wire.
     */
    static final String BOTOCORE =
            """
            POST / HTTP/1.1
            Host: 127.0.0.1:8420
            Accept-Encoding: identity
            X-Amz-Target: AmazonSSM.DescribeActivations
            Content-Type: application/x-amz-json-1.1
            User-Agent: Botocore/1.43.11 ua/2.1 os/linux#6.18.44-fc-v669 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,b,D,Z,N cfg/retry-mode#legacy
            X-Amz-Date: 20261122T150520Z
            Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=86a232b8ab468e6477b29b7c51b54e26994b823053e7bbb77ac284099b36abc0
            amz-sdk-invocation-id: 1aa34e2e-f818-4be7-82f4-596dc7d6ad68
            amz-sdk-request: attempt=1
            Content-Length: 18
            """;

    /**
     * botocore's {@code SigV4Auth(KEY, "ssm", "us-east-1").add_auth()} at NOW on a body-less GET with dot segments,
     * an empty segment, encoded characters, unsorted and repeated parameters and runs of whitespace in a header.
     */
    static final String BOTOCORE_ODD =
            """
            GET /a%20b/./c//d/../e%2Ff~?b=2&a=x%20y&a=1&c= HTTP/1.1
            Host: 127.0.0.1:8420
            X-Amz-Meta-Note:   two   spaces\tand tab
            Content-Type: text/plain
            X-Amz-Date: 20261122T150520Z
            Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-meta-note, Signature=83b420ad352bd3728d59e29f6f958f148064e3105054fd0cf9ef22462d0038af
            """;

    static SignableRequest botocoreRequest() {
        return wire(BOTOCORE, BODY);
    }

    @Test
    void verifiesAndReproducesBotocoreSignatures() throws Exception {
        for (SignableRequest sent : List.of(botocoreRequest(), wire(BOTOCORE_ODD, new byte[0]))) {
            SigV4.verify(sent, authorization(sent), SECRET, NOW);
            assertThat(signedByUs(sent).get("Authorization")).isEqualTo(header(sent, "Authorization"));
        }
        assertThat(authorization(botocoreRequest()))
                .extracting(ParsedAuthorization::accessKeyId, ParsedAuthorization::region, ParsedAuthorization::service)
                .containsExactly("AKIDEXAMPLE", "us-east-1", "ssm");
    }

    @Test
    void verifiesAndReproducesTheAwsSdkForJavaV2Signer() throws Exception {
        SdkHttpFullRequest json = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .protocol("http")
                .host("127.0.0.1")
                .port(8080)
                .encodedPath("/")
                .putHeader("Host", "127.0.0.1:8080")
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "AmazonSSM.DescribeInstanceInformation")
                .build();
        SdkHttpFullRequest odd = json.toBuilder()
                .method(SdkHttpMethod.GET)
                .encodedPath("/a%20b/./c//d/../e%2Ff~")
                .putRawQueryParameter("b", "2")
                .putRawQueryParameter("a", List.of("x y", "1"))
                .putRawQueryParameter("c", "")
                .putHeader("X-Amz-Meta-Note", "  two   spaces\tand tab  ")
                .putHeader("X-Amz-Meta-List", List.of("one", " two "))
                .build();
        for (SdkHttpFullRequest request : List.of(json, odd)) {
            byte[] body = request.method() == SdkHttpMethod.POST ? BODY : new byte[0];
            SignableRequest sent = asReceived(signedBySdk(request, body, true), body);
            SigV4.verify(sent, authorization(sent), SECRET, NOW);
            // The SDK always adds X-Amz-Content-Sha256 (we need not); given the headers it signed, we sign alike.
            assertThat(header(sent, "X-Amz-Content-Sha256")).isEqualTo(SigV4.hex(SigV4.sha256(body)));
            assertThat(signedByUs(sent).get("Authorization")).isEqualTo(header(sent, "Authorization"));
        }
        assertThat(authorization(asReceived(signedBySdk(json, BODY, true), BODY))
                        .signedHeaders())
                .containsExactly("content-type", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-target");

        // Over TLS the SDK may leave the body unsigned; we refuse that.
        SdkHttpFullRequest overTls = json.toBuilder()
                .protocol("https")
                .port(8443)
                .putHeader("Host", "127.0.0.1:8443")
                .build();
        SignableRequest unsignedBody = asReceived(signedBySdk(overTls, BODY, false), BODY);
        assertThat(header(unsignedBody, "X-Amz-Content-Sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        fails(() -> SigV4.verify(unsignedBody, authorization(unsignedBody), SECRET, NOW), Kind.SIGNATURE_MISMATCH)
                .hasMessageContaining("'x-amz-content-sha256'");
    }

    @Test
    void ourHeadersVerifyOnceSentAndAddNoContentSha256() throws Exception {
        Map<String, String> sent = signedByUs(botocoreRequest());
        assertThat(sent.keySet()).noneMatch(name -> name.equalsIgnoreCase("x-amz-content-sha256"));
        Map<String, List<String>> headers = new TreeMap<>();
        sent.forEach((name, value) -> headers.put(name, List.of(value)));
        SignableRequest received = new SignableRequest("POST", "/", "", headers, BODY);
        SigV4.verify(received, authorization(received), SECRET, NOW);
    }

    @Test
    void tamperedBodyOrSignedHeaderOrWrongSecretIsAMismatch() throws Exception {
        SignableRequest sent = botocoreRequest();
        ParsedAuthorization auth = authorization(sent);
        byte[] otherBody = "{\"MaxResults\": 11}".getBytes(StandardCharsets.UTF_8);
        fails(() -> SigV4.verify(with(sent, otherBody), auth, SECRET, NOW), Kind.SIGNATURE_MISMATCH);
        SignableRequest retargeted = with(sent, "X-Amz-Target", "AmazonSSM.DeleteActivation");
        fails(() -> SigV4.verify(retargeted, auth, SECRET, NOW), Kind.SIGNATURE_MISMATCH)
                .hasMessage("The request signature we calculated does not match the signature you provided. Check"
                        + " your AWS Secret Access Key and signing method. Consult the service documentation for"
                        + " details.");
        fails(() -> SigV4.verify(sent, auth, "another-secret", NOW), Kind.SIGNATURE_MISMATCH);
        // Headers outside SignedHeaders may change on the way, as proxies do.
        SigV4.verify(with(sent, "User-Agent", "proxy/1.0"), auth, SECRET, NOW);
    }

    @Test
    void cachedSigningKeysAreTheDerivedOnesAndBelongToTheirOwnSecretDayRegionAndService() throws Exception {
        SignableRequest sent = botocoreRequest();
        ParsedAuthorization auth = authorization(sent);
        // Verified twice: the second time from the cached key, with the same verdict both ways.
        SigV4.verify(sent, auth, SECRET, NOW);
        SigV4.verify(sent, auth, SECRET, NOW);
        fails(() -> SigV4.verify(sent, auth, "another-secret", NOW), Kind.SIGNATURE_MISMATCH);
        SigV4.verify(sent, auth, SECRET, NOW);
        assertThat(SigningKeys.key(SECRET, "20261122", "us-east-1", "ssm"))
                .isEqualTo(SigV4.signingKey(SECRET, "20261122", "us-east-1", "ssm"))
                .isNotEqualTo(SigningKeys.key(SECRET, "20261123", "us-east-1", "ssm"))
                .isNotEqualTo(SigningKeys.key(SECRET, "20261122", "eu-west-1", "ssm"))
                .isNotEqualTo(SigningKeys.key(SECRET, "20261122", "us-east-1", "events"));
        for (int i = 0; i <= SigningKeys.MAX_ENTRIES; i++) {
            SigningKeys.key("secret-" + i, "20261122", "us-east-1", "ssm");
        }
        assertThat(SigningKeys.size()).isLessThanOrEqualTo(SigningKeys.MAX_ENTRIES);
        SigV4.verify(sent, auth, SECRET, NOW);
    }

    @Test
    void missingOrForeignAuthorizationIsMissingAuthentication() {
        fails(() -> SigV4.parseAuthorization(null), Kind.MISSING_AUTHENTICATION);
        fails(() -> SigV4.parseAuthorization(" "), Kind.MISSING_AUTHENTICATION);
        fails(() -> SigV4.parseAuthorization("Basic dXNlcjpwYXNz"), Kind.MISSING_AUTHENTICATION)
                .hasMessageNotContaining("dXNlcjpwYXNz");
        fails(() -> SigV4.parseAuthorization("AWS AKIDEXAMPLE:c2lnbmF0dXJl"), Kind.MISSING_AUTHENTICATION);
    }

    @Test
    void malformedAuthorizationIsIncomplete() throws Exception {
        String credential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/ssm/aws4_request";
        fails(() -> SigV4.parseAuthorization(credential + ", SignedHeaders=host"), Kind.INCOMPLETE_SIGNATURE)
                .hasMessageStartingWith("Authorization header requires 'Signature' parameter.");
        fails(
                () -> SigV4.parseAuthorization(credential + ", SignedHeaders=host, Signature="),
                Kind.INCOMPLETE_SIGNATURE);
        fails(() -> SigV4.parseAuthorization(credential + ", host, Signature=ab"), Kind.INCOMPLETE_SIGNATURE);
        fails(() -> SigV4.parseAuthorization("AWS4-HMAC-SHA256"), Kind.INCOMPLETE_SIGNATURE);
        String shortScope =
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1, SignedHeaders=host, Signature=ab";
        fails(() -> SigV4.parseAuthorization(shortScope), Kind.INCOMPLETE_SIGNATURE)
                .hasMessageContaining("exactly 5 slash-delimited elements");
        // Well-formed but scoped wrongly: InvalidSignatureException at AWS.
        String terminator = credential.replace("aws4_request", "aws4_reques") + ", SignedHeaders=host, Signature=ab";
        fails(() -> SigV4.parseAuthorization(terminator), Kind.SIGNATURE_MISMATCH);
        // The scope's date is exactly eight ASCII digits (other scripts' digits, signs and lengths refused).
        for (String date : List.of("2026112", "202611221", "2026112a", "+2026112", "2026\u0661122", "２０２６１１２２")) {
            String header = credential.replace("20261122", date) + ", SignedHeaders=host, Signature=ab";
            fails(() -> SigV4.parseAuthorization(header), Kind.INCOMPLETE_SIGNATURE)
                    .hasMessageContaining("to a date as yyyyMMdd");
        }
        assertThat(SigV4.parseAuthorization(credential + ", SignedHeaders=host, Signature=ab")
                        .date())
                .isEqualTo("20261122");
    }

    @Test
    void signaturesMoreThanFifteenMinutesFromNowHaveExpired() throws Exception {
        SignableRequest sent = botocoreRequest();
        ParsedAuthorization auth = authorization(sent);
        SigV4.verify(sent, auth, SECRET, NOW.plus(Duration.ofMinutes(15)));
        SigV4.verify(sent, auth, SECRET, NOW.minus(Duration.ofMinutes(15)));
        fails(() -> SigV4.verify(sent, auth, SECRET, NOW.plus(Duration.ofMinutes(16))), Kind.SIGNATURE_EXPIRED)
                .hasMessage("Signature expired: 20261122T150520Z is now earlier than 20261122T150620Z"
                        + " (20261122T152120Z - 15 min.)");
        fails(() -> SigV4.verify(sent, auth, SECRET, NOW.minus(Duration.ofMinutes(16))), Kind.SIGNATURE_EXPIRED)
                .hasMessage("Signature not yet current: 20261122T150520Z is still later than 20261122T150420Z"
                        + " (20261122T144920Z + 15 min.)");
        // Without X-Amz-Date, the HTTP Date header dates the request.
        SignableRequest dated = with(with(sent, "X-Amz-Date", null), "Date", "Sun, 22 Nov 2026 14:00:00 GMT");
        fails(() -> SigV4.verify(dated, scoped("20261122", "date", "host"), SECRET, NOW), Kind.SIGNATURE_EXPIRED)
                .hasMessageStartingWith("Signature expired: 20261122T140000Z is now earlier");
    }

    @Test
    void eachRequestIsDatedByItsOwnXAmzDateWhateverWasVerifiedBefore() throws Exception {
        SignableRequest sent = botocoreRequest();
        ParsedAuthorization auth = authorization(sent);
        Instant later = NOW.plusSeconds(1);
        SignableRequest unsigned = with(with(sent, "Authorization", null), "X-Amz-Date", null);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        SigV4.sign(unsigned, KEY, "us-east-1", "ssm", later)
                .forEach((name, value) -> headers.put(name, List.of(value)));
        SignableRequest second = new SignableRequest("POST", "/", "", headers, BODY);
        ParsedAuthorization secondAuth = authorization(second);
        for (int i = 0; i < 3; i++) {
            SigV4.verify(sent, auth, SECRET, NOW);
            SigV4.verify(second, secondAuth, SECRET, NOW);
            SigV4.verify(second, secondAuth, SECRET, NOW);
            // One's signature under the other's date (the date parsed just before) is not the signature.
            fails(
                    () -> SigV4.verify(with(second, "X-Amz-Date", "20261122T150520Z"), secondAuth, SECRET, NOW),
                    Kind.SIGNATURE_MISMATCH);
            fails(
                    () -> SigV4.verify(with(sent, "X-Amz-Date", "20261122T150521Z"), auth, SECRET, NOW),
                    Kind.SIGNATURE_MISMATCH);
            fails(
                    () -> SigV4.verify(with(sent, "X-Amz-Date", "20261122T15052Z"), auth, SECRET, NOW),
                    Kind.INCOMPLETE_SIGNATURE);
            fails(() -> SigV4.verify(with(sent, "X-Amz-Date", ""), auth, SECRET, NOW), Kind.INCOMPLETE_SIGNATURE);
        }
        fails(() -> SigV4.verify(second, secondAuth, SECRET, NOW.plus(Duration.ofMinutes(16))), Kind.SIGNATURE_EXPIRED)
                .hasMessageStartingWith("Signature expired: 20261122T150521Z is now earlier");
    }

    @Test
    void datesAndSignedHeadersMustFitTheRequest() throws Exception {
        SignableRequest sent = botocoreRequest();
        ParsedAuthorization auth = authorization(sent);
        ParsedAuthorization yesterday = scoped("20261121", auth.signedHeaders().toArray(String[]::new));
        fails(() -> SigV4.verify(sent, yesterday, SECRET, NOW), Kind.SIGNATURE_MISMATCH)
                .hasMessageContaining("Date in Credential scope does not match YYYYMMDD")
                .hasMessageContaining("'20261121' != '20261122'");
        fails(() -> SigV4.verify(with(sent, "X-Amz-Target", null), auth, SECRET, NOW), Kind.INCOMPLETE_SIGNATURE)
                .hasMessageContaining("'x-amz-target'");
        fails(() -> SigV4.verify(sent, scoped("20261122", "x-amz-date"), SECRET, NOW), Kind.INCOMPLETE_SIGNATURE)
                .hasMessageContaining("'Host' must be a 'SignedHeader'");
        SignableRequest undated = with(sent, "X-Amz-Date", null);
        fails(() -> SigV4.verify(undated, scoped("20261122", "host"), SECRET, NOW), Kind.INCOMPLETE_SIGNATURE);
        SignableRequest badDate = with(sent, "X-Amz-Date", "2026-11-22T15:05:20Z");
        fails(() -> SigV4.verify(badDate, auth, SECRET, NOW), Kind.INCOMPLETE_SIGNATURE);
    }

    @Test
    void headerValuesTrimAndCollapseEveryAsciiWhitespace() {
        assertThat(CanonicalRequest.headerValue(List.of(""))).isEqualTo("");
        assertThat(CanonicalRequest.headerValue(List.of(" \t\r\n "))).isEqualTo("");
        assertThat(CanonicalRequest.headerValue(List.of("plain value"))).isEqualTo("plain value");
        assertThat(CanonicalRequest.headerValue(List.of("\ta\t\tb\u000Bc\fd\re\nf ")))
                .isEqualTo("a b c d e f");
        assertThat(CanonicalRequest.headerValue(List.of("a    b", "  ", "", " c\t")))
                .isEqualTo("a b,,,c");
        assertThat(CanonicalRequest.headerValue(List.of("a \tb"))).isEqualTo("a b");
        assertThat(CanonicalRequest.headerValue(List.of("a\t b"))).isEqualTo("a b");
        assertThat(CanonicalRequest.headerValue(List.of("x "))).isEqualTo("x");
        assertThat(CanonicalRequest.headerValue(List.of(" x"))).isEqualTo("x");
        // Not ASCII whitespace: kept as they are, as the SDK keeps them.
        assertThat(CanonicalRequest.headerValue(List.of("a\u00A0\u2003b\u001Cc")))
                .isEqualTo("a\u00A0\u2003b\u001Cc");
        assertThat(CanonicalRequest.headerValue(List.of())).isEqualTo("");

        // The regex this replaced, as the reference, over many random values from a small alphabet.
        java.util.regex.Pattern runs = java.util.regex.Pattern.compile("\\s+");
        java.util.Random random = new java.util.Random(42);
        char[] alphabet = {' ', ' ', '\t', '\n', '\u000B', '\f', '\r', 'a', 'b', '\u00A0', ','};
        for (int round = 0; round < 20_000; round++) {
            List<String> values = new ArrayList<>();
            for (int v = random.nextInt(3) + 1; v > 0; v--) {
                StringBuilder value = new StringBuilder();
                for (int n = random.nextInt(8); n > 0; n--) {
                    value.append(alphabet[random.nextInt(alphabet.length)]);
                }
                values.add(value.toString());
            }
            List<String> expected = new ArrayList<>();
            for (String value : values) {
                expected.add(runs.matcher(value).replaceAll(" ").strip());
            }
            assertThat(CanonicalRequest.headerValue(values)).as("%s", values).isEqualTo(String.join(",", expected));
        }
    }

    @Test
    void canonicalFormsAndInputChecks() {
        assertThat(CanonicalRequest.canonicalUri("")).isEqualTo("/");
        assertThat(CanonicalRequest.canonicalUri("/")).isEqualTo("/");
        assertThat(CanonicalRequest.canonicalUri("/a%20b/./c//d/../e%2Ff~")).isEqualTo("/a%2520b/c/e%252Ff~");
        assertThat(CanonicalRequest.canonicalUri("/a/b/..")).isEqualTo("/a");
        assertThat(CanonicalRequest.canonicalUri("/a/b/")).isEqualTo("/a/b/");
        assertThat(CanonicalRequest.canonicalQuery("b=2&a=x%20y&a=1&c")).isEqualTo("a=1&a=x%20y&b=2&c=");
        assertThat(CanonicalRequest.canonicalQuery("k=%2fpath%7E&%C3%A9=%F0%9F%98%80"))
                .isEqualTo("%C3%A9=%F0%9F%98%80&k=%2Fpath~");
        assertThat(CanonicalRequest.headerValue(List.of("  a \t b  ", "c"))).isEqualTo("a b,c");

        Map<String, List<String>> twice = Map.of("X-A", List.of("1"), "x-a", List.of("2"));
        assertThat(new SignableRequest("GET", "/", "", twice, new byte[0])
                        .headers()
                        .get("x-A"))
                .containsExactlyInAnyOrder("1", "2");
        SignableRequest hostless = new SignableRequest("POST", "/", "", Map.of("Content-Type", List.of("x")), BODY);
        assertThatThrownBy(() -> SigV4.sign(hostless, KEY, "us-east-1", "ssm", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4Credentials("AKIDEXAMPLE", " ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(KEY.toString()).doesNotContain(KEY.secretAccessKey());
    }

    private static SdkHttpRequest signedBySdk(SdkHttpFullRequest request, byte[] body, boolean signPayload) {
        return AwsV4HttpSigner.create()
                .sign(r -> r.identity(AwsCredentialsIdentity.create(KEY.accessKeyId(), KEY.secretAccessKey()))
                        .request(request)
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ssm")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, signPayload)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC)))
                .request();
    }

    /** The SDK's request as our server would receive it: raw path and query, headers as sent. */
    private static SignableRequest asReceived(SdkHttpRequest request, byte[] body) {
        String query = request.getUri().getRawQuery();
        return new SignableRequest(
                request.method().name(), request.encodedPath(), query == null ? "" : query, request.headers(), body);
    }

    /** Our signature over what {@code sent} signed: its headers less Authorization and X-Amz-Date. */
    private static Map<String, String> signedByUs(SignableRequest sent) {
        SignableRequest unsigned = with(with(sent, "Authorization", null), "X-Amz-Date", null);
        return SigV4.sign(unsigned, KEY, "us-east-1", "ssm", NOW);
    }

    private static ParsedAuthorization authorization(SignableRequest sent) throws SigV4Exception {
        return SigV4.parseAuthorization(header(sent, "Authorization"));
    }

    private static String header(SignableRequest request, String name) {
        return request.headers().get(name).getFirst();
    }

    /** {@code request} with header {@code name} set to {@code value}, or removed if that is null. */
    private static SignableRequest with(SignableRequest request, String name, String value) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(request.headers());
        headers.remove(name);
        if (value != null) {
            headers.put(name, List.of(value));
        }
        return new SignableRequest(request.method(), request.path(), request.query(), headers, request.body());
    }

    private static SignableRequest with(SignableRequest request, byte[] body) {
        return new SignableRequest(request.method(), request.path(), request.query(), request.headers(), body);
    }

    /** A request from its text on the wire: "METHOD path?query HTTP/1.1", then "Name: value" lines. */
    private static SignableRequest wire(String text, byte[] body) {
        List<String> lines = text.lines().toList();
        String[] requestLine = lines.getFirst().split(" ");
        String[] target = requestLine[1].split("\\?", 2);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon), name -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip());
        }
        return new SignableRequest(requestLine[0], target[0], target.length > 1 ? target[1] : "", headers, body);
    }

    /** KEY's scope on {@code date}, for checks that fail before the signature is ever compared. */
    private static ParsedAuthorization scoped(String date, String... signedHeaders) {
        return new ParsedAuthorization("AKIDEXAMPLE", date, "us-east-1", "ssm", List.of(signedHeaders), "00");
    }

    interface Check {
        void run() throws Exception;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> fails(Check check, Kind kind) {
        return assertThatThrownBy(check::run).isInstanceOfSatisfying(SigV4Exception.class, e -> assertThat(e.kind())
                .isEqualTo(kind));
    }
}
