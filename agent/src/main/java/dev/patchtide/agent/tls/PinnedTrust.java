package dev.patchtide.agent.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one CA, the one pinned at registration. A chain that does not lead to it is refused with an
 * error saying the fingerprint did not match (expected and presented); a chain that does is then checked as
 * usual (dates, key usage, and that the certificate names the host connected to).
 */
final class PinnedTrust extends X509ExtendedTrustManager {
    private final X509Certificate ca;
    private final String expected;
    private final X509ExtendedTrustManager standard;

    PinnedTrust(X509Certificate ca) {
        this.ca = ca;
        this.expected = ServerCa.fingerprint(ca);
        try {
            // The CA as the one trust anchor, given directly: a PKCS12 key store holding it would load the
            // key store's classes and a Unicode normaliser for its (empty) password, for the daemon's whole life.
            PKIXBuilderParameters anchors = new PKIXBuilderParameters(Set.of(new TrustAnchor(ca, null)), null);
            anchors.setRevocationEnabled(false); // as the PKIX trust manager over a key store checks it
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(new CertPathTrustManagerParameters(anchors));
            X509ExtendedTrustManager found = null;
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    found = extended;
                }
            }
            if (found == null) {
                throw new IllegalStateException("the Java runtime offers no PKIX trust manager");
            }
            this.standard = found;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the pinned CA: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        requirePinned(chain);
        standard.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        requirePinned(chain);
        standard.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        requirePinned(chain);
        standard.checkServerTrusted(chain, authType);
    }

    /** The chain holds the pinned CA, or its top certificate was issued by it. */
    private void requirePinned(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        for (X509Certificate certificate : chain) {
            if (certificate.equals(ca)) {
                return;
            }
        }
        X509Certificate top = chain[chain.length - 1];
        if (top.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            try {
                top.verify(ca.getPublicKey());
                return;
            } catch (GeneralSecurityException e) {
                // signed by another key of the same name: not our CA
            }
        }
        throw new CertificateException("the server's CA fingerprint did not match the pinned one: expected " + expected
                + ", presented " + ServerCa.fingerprint(top) + " ("
                + top.getSubjectX500Principal().getName() + ")");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("the agent trusts servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("the agent trusts servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the agent trusts servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {ca};
    }
}
