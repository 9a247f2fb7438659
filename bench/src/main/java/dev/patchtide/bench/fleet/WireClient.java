package dev.patchtide.bench.fleet;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A minimal blocking HTTP/1.1 client for the simulator's hot path: one keep-alive connection per client
 * thread, the request written in one go, the response read on the same thread. The JDK's {@code HttpClient}
 * costs about 0.25 ms of CPU a call across its caller, selector and executor threads, more than half of the
 * 0.4 ms a report the goal leaves for simulator, server and database together. Plain http only.
 */
final class WireClient {
    private static final long IDLE_NANOS = 10_000_000_000L;

    private final String host;
    private final int port;
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();

    record Response(int status, byte[] body) {}

    WireClient(URI endpoint) {
        if (!"http".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("the simulator's wire client speaks plain http, not " + endpoint);
        }
        this.host = endpoint.getHost();
        this.port = endpoint.getPort() == -1 ? 80 : endpoint.getPort();
    }

    /** POSTs {@code body} to / with these headers (Content-Length is added). */
    Response post(Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(512).append("POST / HTTP/1.1\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        Connection c = connections.get();
        boolean reused = c != null && System.nanoTime() - c.lastUsed < IDLE_NANOS;
        if (c != null && !reused) {
            c.close();
        }
        if (!reused) {
            c = open();
        }
        try {
            return exchange(c, headBytes, body);
        } catch (NoResponse stale) {
            c.close();
            connections.remove();
            if (!reused) {
                throw stale;
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            connections.remove();
            throw e;
        }
        // A kept-alive connection the server had closed: nothing reached it, so send once more on a new one.
        Connection fresh = open();
        try {
            return exchange(fresh, headBytes, body);
        } catch (IOException | RuntimeException e) {
            fresh.close();
            connections.remove();
            throw e;
        }
    }

    private Response exchange(Connection c, byte[] head, byte[] body) throws IOException {
        try {
            c.out.write(head);
            c.out.write(body);
            c.out.flush();
        } catch (IOException e) {
            throw new NoResponse(e);
        }
        int first = c.in.read();
        if (first < 0) {
            throw new NoResponse(new EOFException("connection closed before the response"));
        }
        String status = (char) first + line(c.in);
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = line(c.in); !h.isEmpty(); h = line(c.in)) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        byte[] answer;
        if (chunked) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(c.in).split(";")[0].trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line(c.in).split(";")[0].trim(), 16)) {
                out.writeBytes(c.in.readNBytes(size));
                line(c.in);
            }
            while (!line(c.in).isEmpty()) {
                // trailers
            }
            answer = out.toByteArray();
        } else if (length >= 0) {
            answer = c.in.readNBytes(length);
            if (answer.length < length) {
                throw new EOFException("response body cut short");
            }
        } else {
            answer = c.in.readAllBytes();
            close = true;
        }
        if (close) {
            c.close();
            connections.remove();
        } else {
            c.lastUsed = System.nanoTime();
        }
        return new Response(code, answer);
    }

    private Connection open() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(60_000);
        s.connect(new InetSocketAddress(host, port), 10_000);
        Connection c = new Connection(s);
        connections.set(c);
        return c;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed inside a response");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    /** The request did not get a single response byte back. */
    private static final class NoResponse extends IOException {
        private static final long serialVersionUID = 1L;

        NoResponse(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long lastUsed = System.nanoTime();

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
            this.out = new BufferedOutputStream(socket.getOutputStream(), 16_384);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
