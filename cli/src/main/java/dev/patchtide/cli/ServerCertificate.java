package dev.patchtide.cli;

import dev.patchtide.agent.tls.ServerCa;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The certificate a server presents, read from a TLS handshake that trusts only its CA: what the enrolment line's
 * {@code --pinnedpubkey} must name (a certificate given with --tls-cert is known to the server, not the CLI).
 */
final class ServerCertificate {
    private static final int TIMEOUT_MILLIS = 10_000;

    private ServerCertificate() {}

    static X509Certificate of(URI endpoint, X509Certificate ca) throws IOException {
        int port = endpoint.getPort() == -1 ? 443 : endpoint.getPort();
        try (SSLSocket socket =
                (SSLSocket) ServerCa.pinnedContext(ca).getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            Certificate[] chain = socket.getSession().getPeerCertificates();
            return (X509Certificate) chain[0];
        }
    }
}
