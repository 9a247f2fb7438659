package dev.patchtide.server.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the HTTPS connector serves: the server's key and certificate chain (its own certificate first), and the
 * certificate agents and clients pin, served at {@code /tls/ca.pem}: the private CA, or the top of a chain given
 * with {@code --tls-cert}.
 */
public record TlsMaterial(PrivateKey key, List<X509Certificate> chain, X509Certificate ca) {
    static final char[] STORE_PASSWORD = "patchtide".toCharArray();

    public TlsMaterial {
        if (key == null || chain == null || chain.isEmpty() || ca == null) {
            throw new IllegalArgumentException("tls needs a key, a certificate chain and a CA certificate");
        }
        chain = List.copyOf(chain);
    }

    /**
     * The key and chain an operator gave ({@code --tls-cert}, {@code --tls-key}): the key must be the first
     * certificate's; the last certificate of the chain is the one clients pin.
     */
    public static TlsMaterial fromFiles(java.nio.file.Path certFile, java.nio.file.Path keyFile)
            throws java.io.IOException {
        List<X509Certificate> chain = Pem.readCertificates(certFile, "tls-cert");
        PrivateKey key = Pem.readPrivateKey(keyFile, "tls-key");
        if (!matches(key, chain.getFirst())) {
            throw new IllegalArgumentException("tls-key is not the key of the first certificate in tls-cert");
        }
        return new TlsMaterial(key, chain, chain.getLast());
    }

    /** Signs a sample with the key and checks it with the certificate's public key. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "RSA" -> "SHA256withRSA";
                    case "EC" -> "SHA256withECDSA";
                    case "Ed25519", "EdDSA" -> "Ed25519";
                    default ->
                        throw new IllegalArgumentException("tls-key: unsupported key type " + key.getAlgorithm());
                };
        try {
            byte[] sample = "patchtide".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(sample);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(sample);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public X509Certificate serverCertificate() {
        return chain.getFirst();
    }

    public String caPem() {
        return Pem.encode(ca);
    }

    /** The CA's {@code sha256:<hex>}. */
    public String caFingerprint() {
        return Fingerprints.certificate(ca);
    }

    /** An in-memory key store for Jetty; its password protects nothing on disk. */
    KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(X509Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("the server key and certificate do not go together: " + e.getMessage(), e);
        }
    }

    /** Shown instead of the key. */
    @Override
    public String toString() {
        return "TlsMaterial[server=" + serverCertificate().getSubjectX500Principal() + ", ca=" + caFingerprint() + "]";
    }
}
