package dev.patchtide.server.tls;

import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Jetty's HTTPS connector for the server's key and chain, TLS 1.2 and 1.3 only. */
public final class HttpsConnector {
    private HttpsConnector() {}

    public static Connector create(Server server, HttpConfiguration base, TlsMaterial tls, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(tls.keyStore());
        ssl.setKeyStorePassword(new String(TlsMaterial.STORE_PASSWORD));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration(base);
        https.setSecureScheme("https");
        https.setSecurePort(port);
        // Clients reach the server by address as often as by name, and Java sends no SNI for addresses: the
        // certificate check on their side is what matters, not Jetty's comparison of SNI and Host.
        SecureRequestCustomizer secure = new SecureRequestCustomizer(false, false, -1, false);
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(
                server,
                new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        Listeners.acceptQueue(connector);
        return connector;
    }
}
