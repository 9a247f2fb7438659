package dev.patchtide.server.tls;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The server's listening sockets (plain HTTP here, HTTPS in {@link HttpsConnector}) and what they share. */
public final class Listeners {
    /**
     * The listen backlog asked of the kernel (which caps it at {@code net.core.somaxconn}). Jetty's default, 0,
     * becomes the JDK's 50: when thousands of agents reconnect at once (a restart, or long polls that broke under
     * load) the SYNs past 50 are dropped, the clients resend them after 1, 3 and 7 s, and their connect timeouts
     * fire ("Connect timed out" 11,670 times in one 10,000-agent run). A queued connection costs the kernel a
     * few hundred bytes; the acceptor then drains the queue at its own pace.
     */
    public static final int ACCEPT_QUEUE = 4096;

    private Listeners() {}

    /** A plain HTTP/1.1 connector, as Javalin would build by default, with the accept queue above. */
    public static ServerConnector plain(Server server, HttpConfiguration http, String host, int port) {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        acceptQueue(connector);
        return connector;
    }

    static void acceptQueue(ServerConnector connector) {
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
    }
}
