package dev.patchtide.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback port in front of the test server that a test closes and opens again: closed, a client's
 * connections are cut and new ones refused (as when the server's host is down), while the server and its
 * database go on. Bytes pass through unchanged, so signed requests stay valid (the Host header names the gate).
 */
public final class LoopbackGate implements AutoCloseable {
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private int port;
    private ServerSocket listener;

    private LoopbackGate(InetSocketAddress target) {
        this.target = target;
    }

    /** An open gate to {@code server} (an {@code http://host:port} URI). */
    public static LoopbackGate to(URI server) throws IOException {
        LoopbackGate gate = new LoopbackGate(new InetSocketAddress(server.getHost(), server.getPort()));
        gate.open();
        return gate;
    }

    public synchronized URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Listens again, on the same port as before. */
    public synchronized void open() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = socket.getLocalPort();
        listener = socket;
        Thread.ofVirtual().name("loopback-gate").start(() -> accept(socket));
    }

    /** Stops listening and cuts every connection through the gate. */
    public synchronized void shut() {
        if (listener == null) {
            return;
        }
        quietly(listener);
        listener = null;
        sockets.forEach(LoopbackGate::quietly);
        sockets.clear();
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                synchronized (this) {
                    if (listener != socket) { // shut meanwhile
                        quietly(client);
                        quietly(server);
                        continue;
                    }
                }
                pipe(client, server);
                pipe(server, client);
            } catch (IOException e) {
                return; // the listener was closed
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut: the other direction ends too
            } finally {
                quietly(from);
                quietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        });
    }

    private static void quietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing what is gone
        }
    }

    @Override
    public void close() {
        shut();
    }
}
