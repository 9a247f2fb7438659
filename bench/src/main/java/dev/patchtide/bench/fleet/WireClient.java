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
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;

/**
 * A minimal blocking HTTP/1.1 client for the simulator's hot path: one keep-alive connection per long-lived
 * client thread ({@link #post}), or one borrowed from a small shared pool for calls made from short-lived threads
 * ({@link #postPooled}); the request written in one go, the response read on the calling thread. The JDK's {@code
 * HttpClient} costs about 0.25 ms of CPU a call across its caller, selector and executor threads, more than half of
 * the 0.4 ms a report the goal leaves for simulator, server and database together. Plain http only.
 */
final class WireClient {
    private static final long IDLE_NANOS = 10_000_000_000L;
    /**
     * Connections of the shared pool, at most. A thread-local connection of a thread that ends is never used again
     * nor closed: 10,000 agents each reporting from a thread of its own left 10,000 open sockets a command, and at
     * the second command this process and the server ran out of files (20,000 here), so reports failed until the
     * garbage collector happened to close the old ones. The bound keeps polls plus reports under that limit.
     */
    static final int POOLED = 1_000;

    private final String host;
    private final int port;
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final Semaphore pooled;

    /** An answer, and when its last byte was read (System.nanoTime): before anything parses it. */
    record Response(int status, byte[] body, long receivedNanos) {}

    WireClient(URI endpoint) {
        this(endpoint, POOLED);
    }

    WireClient(URI endpoint, int poolSize) {
        if (!"http".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("the simulator's wire client speaks plain http, not " + endpoint);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1");
        }
        this.host = endpoint.getHost();
        this.port = endpoint.getPort() == -1 ? 80 : endpoint.getPort();
        this.pooled = new Semaphore(poolSize);
    }

    /**
     * POSTs over a connection of the shared pool (waiting for one when all are busy): for calls from threads that
     * end after a call or two, such as an agent's result sent from its run's thread.
     */
    Response postPooled(Map<String, String> headers, byte[] body) throws IOException {
        pooled.acquireUninterruptibly();
        try {
            byte[] head = head(headers, body);
            Connection c = idle.pollFirst();
            while (c != null && System.nanoTime() - c.lastUsed >= IDLE_NANOS) {
                c.close(); // likely closed by the server meanwhile
                c = idle.pollFirst();
            }
            boolean reused = c != null;
            if (!reused) {
                c = connect();
            }
            try {
                Response r = exchange(c, head, body);
                giveBack(c);
                return r;
            } catch (NoResponse stale) {
                c.close();
                if (!reused) {
                    throw stale;
                }
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            // A kept-alive connection the server had closed: nothing reached it, so send once more on a new one.
            Connection fresh = connect();
            try {
                Response r = exchange(fresh, head, body);
                giveBack(fresh);
                return r;
            } catch (IOException | RuntimeException e) {
                fresh.close();
                throw e;
            }
        } finally {
            pooled.release();
        }
    }

    private void giveBack(Connection c) {
        if (!c.closed) {
            idle.offerFirst(c); // the most recently used first: the others age out
        }
    }

    /** Connections open in the shared pool and not in use (for tests). */
    int idlePooled() {
        return idle.size();
    }

    private static byte[] head(Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(512).append("POST / HTTP/1.1\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        return head.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Takes each line of a streamed answer (without its line break) and when its last byte arrived. */
    @FunctionalInterface
    interface Lines {
        void accept(byte[] line, long receivedNanos) throws IOException;
    }

    /** POSTs {@code body} to / with these headers (Content-Length is added), over this thread's connection. */
    Response post(Map<String, String> headers, byte[] body) throws IOException {
        return post(headers, body, null);
    }

    /**
     * As {@link #post}; a 2xx answer streamed as lines of JSON ({@code application/x-ndjson}) is handed to {@code
     * lines} line by line as its chunks arrive, and the Response's body is then empty.
     */
    Response post(Map<String, String> headers, byte[] body, Lines lines) throws IOException {
        byte[] headBytes = head(headers, body);
        Connection c = connections.get();
        boolean reused = c != null && System.nanoTime() - c.lastUsed < IDLE_NANOS;
        if (c != null && !reused) {
            c.close();
        }
        if (!reused) {
            c = open();
        }
        try {
            return exchange(c, headBytes, body, lines);
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
            return exchange(fresh, headBytes, body, lines);
        } catch (IOException | RuntimeException e) {
            fresh.close();
            connections.remove();
            throw e;
        }
    }

    private Response exchange(Connection c, byte[] head, byte[] body) throws IOException {
        return exchange(c, head, body, null);
    }

    private Response exchange(Connection c, byte[] head, byte[] body, Lines lines) throws IOException {
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
        boolean streamed = false;
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
            } else if (name.equalsIgnoreCase("Content-Type")) {
                streamed = value.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-ndjson");
            }
        }
        byte[] answer;
        if (chunked && streamed && lines != null && code / 100 == 2) {
            readLines(c.in, lines);
            answer = new byte[0];
        } else if (chunked) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int size = chunkSize(c.in); size > 0; size = chunkSize(c.in)) {
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
        long received = System.nanoTime();
        if (close) {
            c.close();
            if (connections.get() == c) {
                connections.remove();
            }
        } else {
            c.lastUsed = received;
        }
        return new Response(code, answer, received);
    }

    /**
     * Reads a chunked body of lines, handing each on as soon as the chunk holding its end has arrived, before the
     * line end that closes the chunk (see below).
     */
    private static void readLines(InputStream in, Lines lines) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new EOFException("stream cut inside a chunk");
            }
            long arrived = System.nanoTime();
            int from = 0;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] == '\n') {
                    line.write(chunk, from, i - from);
                    lines.accept(line.toByteArray(), arrived);
                    line.reset();
                    from = i + 1;
                }
            }
            line.write(chunk, from, chunk.length - from);
            // The chunk's own line end only now: Jetty sends it in front of the next chunk, which on a held stream
            // comes with the next answer. Read before the lines were handed on, it held each of them back until
            // then (up to the stream's whole wait: the one-at-a-time rate-control test's six invocations took
            // 18-20 s each).
            line(in);
        }
        while (!line(in).isEmpty()) {
            // trailers
        }
        if (line.size() > 0) {
            throw new EOFException("stream ended inside a line");
        }
    }

    private Connection open() throws IOException {
        Connection c = connect();
        connections.set(c);
        return c;
    }

    private Connection connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(60_000);
            s.connect(new InetSocketAddress(host, port), 10_000);
            return new Connection(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A chunk's size line (hex, extensions after ';' ignored); 0 for the last chunk. */
    private static int chunkSize(InputStream in) throws IOException {
        return Integer.parseInt(line(in).split(";")[0].trim(), 16);
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
        volatile boolean closed;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
            this.out = new BufferedOutputStream(socket.getOutputStream(), 16_384);
        }

        void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
