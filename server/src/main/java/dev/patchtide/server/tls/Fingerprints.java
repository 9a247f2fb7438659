package dev.patchtide.server.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;

/** The two pins an enrolment line carries: the CA certificate's fingerprint and the server key's pin. */
public final class Fingerprints {
    private Fingerprints() {}

    /** {@code sha256:<64 hex>} of the certificate's DER, what {@code agent register --ca-fingerprint} takes. */
    public static String certificate(X509Certificate certificate) {
        try {
            return "sha256:" + HexFormat.of().formatHex(sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** Base64 SHA-256 of the SubjectPublicKeyInfo: curl's {@code --pinnedpubkey sha256//…} form. */
    public static String publicKeyPin(X509Certificate certificate) {
        return Base64.getEncoder()
                .encodeToString(sha256(certificate.getPublicKey().getEncoded()));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
