package dev.patchtide.agent.tls;

import dev.patchtide.agent.HttpTransport;
import dev.patchtide.agent.PrivateFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;

/**
 * The server CA an agent pins: fetched once from {@code /tls/ca.pem} at registration and accepted only when its
 * SHA-256 is the fingerprint the operator gave, then kept as {@value #FILE_NAME} in the state folder; every later
 * connection to an {@code https} server trusts that CA and nothing else.
 */
public final class ServerCa {
    public static final String FILE_NAME = "server-ca.pem";
    public static final String CA_PATH = "/tls/ca.pem";
    private static final Pattern FINGERPRINT = Pattern.compile("^sha256:[0-9a-f]{64}$");
    /** A CA certificate is a kilobyte or two; a bigger answer is not one and is not read whole. */
    private static final int MAX_PEM = 64 * 1024;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private ServerCa() {}

    /** {@code sha256:<64 lower-case hex>} of the certificate's DER. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot take the certificate's fingerprint", e);
        }
    }

    /** The fingerprint as given, lower-cased; a clear error naming the option when it is not one. */
    public static String checkFingerprint(String given) {
        String normal = given == null ? "" : given.strip().toLowerCase(Locale.ROOT);
        if (!FINGERPRINT.matcher(normal).matches()) {
            throw new IllegalArgumentException("ca-fingerprint must be sha256: followed by 64 hex digits");
        }
        return normal;
    }

    /**
     * Fetches the server's CA certificate and checks it against {@code expectedFingerprint}. The fetch itself
     * trusts any certificate: what it returns is worth nothing until its hash matches the pin.
     */
    public static X509Certificate fetch(URI server, String expectedFingerprint) throws IOException {
        String expected = checkFingerprint(expectedFingerprint);
        HttpClient anyCertificate = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .sslContext(context(new TrustAnything()))
                .build();
        HttpResponse<InputStream> response;
        try {
            response = anyCertificate.send(
                    HttpRequest.newBuilder(server.resolve(CA_PATH))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the server's CA", e);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_PEM + 1);
        }
        if (response.statusCode() != 200 || body.length > MAX_PEM) {
            throw new IOException("the server did not hand out its CA at " + server.resolve(CA_PATH) + " (HTTP "
                    + response.statusCode() + "); is it a Patchtide server serving HTTPS?");
        }
        X509Certificate ca = parse(body, server.resolve(CA_PATH).toString());
        String presented = fingerprint(ca);
        if (!presented.equals(expected)) {
            throw new IOException("the server's CA fingerprint did not match: expected " + expected + ", presented "
                    + presented + "; check the --ca-fingerprint given, or whether this is the right server");
        }
        return ca;
    }

    public static void save(Path stateDir, X509Certificate ca) throws IOException {
        try {
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(ca.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            PrivateFiles.write(stateDir.resolve(FILE_NAME), pem.getBytes(StandardCharsets.US_ASCII));
        } catch (CertificateEncodingException e) {
            throw new IOException("cannot encode the server's CA", e);
        }
    }

    /** The CA pinned in {@code stateDir}. */
    public static X509Certificate load(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no pinned server CA (" + file + ") for an https server; register again with"
                    + " 'patchtide agent register --force ... --ca-fingerprint sha256:...'");
        }
        return read(file);
    }

    /** The certificate in a PEM file (the first, if it holds a bundle). */
    public static X509Certificate read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no CA certificate at " + file);
        }
        if (Files.size(file) > MAX_PEM) {
            throw new IOException("the pinned server CA " + file + " is larger than " + MAX_PEM + " bytes");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * The HTTP client for {@code endpoint}: over https, trusting only the CA pinned in {@code stateDir}; over
     * http (a loopback server started with --insecure-http), a plain one.
     */
    public static HttpClient httpClient(URI endpoint, Path stateDir) throws IOException {
        if (!"https".equalsIgnoreCase(endpoint.getScheme())) {
            return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        }
        return pinnedTo(load(stateDir));
    }

    /**
     * The agent daemon's transport to {@code endpoint}: over https, trusting only the CA pinned in {@code
     * stateDir}; over http (a loopback server started with --insecure-http), plain.
     */
    public static HttpTransport transport(URI endpoint, Path stateDir) throws IOException {
        if (!"https".equalsIgnoreCase(endpoint.getScheme())) {
            return HttpTransport.urlConnection(Optional.empty());
        }
        return HttpTransport.urlConnection(
                Optional.of(pinnedContext(load(stateDir)).getSocketFactory()));
    }

    /** A TLS context that trusts {@code ca} alone (for a client other than {@link HttpClient}). */
    public static SSLContext pinnedContext(X509Certificate ca) {
        return context(new PinnedTrust(ca));
    }

    /** An HTTP client that trusts {@code ca} alone. */
    public static HttpClient pinnedTo(X509Certificate ca) {
        return HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .sslContext(context(new PinnedTrust(ca)))
                .build();
    }

    /** The pin's error when the handshake failed on it, else the exception's own message. */
    public static String describe(IOException e) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof SSLHandshakeException && cause.getMessage() != null) {
                return cause.getMessage();
            }
            cause = cause.getCause();
        }
        return String.valueOf(e.getMessage());
    }

    private static X509Certificate parse(byte[] pem, String source) throws IOException {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
        } catch (CertificateException | ClassCastException e) {
            throw new IOException("not a PEM certificate: " + source);
        }
    }

    private static SSLContext context(TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is part of every Java runtime", e);
        }
    }
}
