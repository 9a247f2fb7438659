package dev.patchtide.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@link HttpTransport} over {@code HttpURLConnection}, whose keep-alive cache reuses connections between calls.
 * Over https the socket factory carries the trust (the pinned CA) and the default host name verifier stays, so
 * the certificate must name the host as with {@code HttpClient}. No proxy and no redirects, as the agent's
 * {@code HttpClient} had none.
 */
final class UrlConnectionTransport implements HttpTransport {
    private final Optional<SSLSocketFactory> tls;
    /** The connection each thread is waiting on, so that stopping the agent can break off a held long poll. */
    private final Map<Thread, HttpURLConnection> inFlight = new ConcurrentHashMap<>();
    /** Connections {@link #abort} closed: whatever HttpURLConnection made of that, their call fails. */
    private final java.util.Set<HttpURLConnection> aborted = ConcurrentHashMap.newKeySet();

    UrlConnectionTransport(Optional<SSLSocketFactory> tls) {
        this.tls = tls;
    }

    @Override
    public Answer post(URI uri, Map<String, String> headers, byte[] body, Duration timeout, int maxBytes)
            throws IOException {
        return exchange(uri, headers, body, timeout, maxBytes, null);
    }

    @Override
    public Answer postForLines(
            URI uri, Map<String, String> headers, byte[] body, Duration timeout, int maxLine, Lines each)
            throws IOException {
        return exchange(uri, headers, body, timeout, maxLine, each);
    }

    /** A POST; its answer handed to {@code lines} as it arrives when it is a stream of lines and lines is set. */
    private Answer exchange(
            URI uri, Map<String, String> headers, byte[] body, Duration timeout, int maxBytes, Lines lines)
            throws IOException {
        HttpURLConnection connection = open(uri, timeout);
        inFlight.put(Thread.currentThread(), connection);
        try {
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            headers.forEach((name, value) -> {
                if (!name.equalsIgnoreCase("host")) {
                    connection.setRequestProperty(name, value);
                }
            });
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            if (aborted.contains(connection) || status < 0) {
                throw brokenOff(uri, null);
            }
            if (lines != null && status / 100 == 2 && HttpTransport.isLines(connection.getContentType())) {
                try (InputStream in = connection.getInputStream()) {
                    HttpTransport.readLines(uri, in, maxBytes, lines);
                } catch (IOException e) {
                    connection.disconnect(); // the rest of a broken stream is not read: not a connection to reuse
                    throw e;
                }
                if (aborted.contains(connection)) {
                    throw brokenOff(uri, null);
                }
                return new Answer(status, new byte[0]);
            }
            if (connection.getContentLengthLong() > maxBytes) {
                connection.disconnect();
                throw HttpTransport.tooLarge(uri, maxBytes);
            }
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            if (in == null) {
                return new Answer(status, new byte[0]);
            }
            try (in) {
                byte[] answer = in.readNBytes(maxBytes + 1);
                if (answer.length > maxBytes) {
                    connection.disconnect();
                    throw HttpTransport.tooLarge(uri, maxBytes);
                }
                return new Answer(status, answer);
            }
        } catch (RuntimeException unchecked) {
            // HttpURLConnection answers a socket closed under it ({@link #abort}) at some steps with an unchecked
            // exception rather than an IOException; the caller's contract is an IOException either way.
            throw brokenOff(uri, unchecked);
        } finally {
            inFlight.remove(Thread.currentThread(), connection);
            aborted.remove(connection);
        }
    }

    @Override
    public void download(URI uri, Duration timeout, long maxBytes, Path to) throws IOException {
        HttpURLConnection connection = open(uri, timeout);
        inFlight.put(Thread.currentThread(), connection);
        try {
            int status = connection.getResponseCode();
            if (status != 200) {
                connection.disconnect();
                throw new IOException("the server answered HTTP " + status + " for " + uri.getPath());
            }
            try (InputStream in = connection.getInputStream();
                    OutputStream out = Files.newOutputStream(to)) {
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    total += n;
                    if (total > maxBytes) {
                        connection.disconnect();
                        throw new IOException(uri.getPath() + " is larger than the " + maxBytes + " bytes expected");
                    }
                    out.write(buffer, 0, n);
                }
            }
        } finally {
            inFlight.remove(Thread.currentThread(), connection);
            aborted.remove(connection);
        }
    }

    private static IOException brokenOff(URI uri, Exception cause) {
        return new IOException("the call to " + uri.getPath() + " was broken off", cause);
    }

    @Override
    public void abort(Thread thread) {
        // Atomic with the call's own removal from inFlight: a call already over leaves nothing marked behind.
        inFlight.computeIfPresent(thread, (t, connection) -> {
            aborted.add(connection);
            connection.disconnect(); // closes the socket: the blocked read fails at once
            return connection;
        });
    }

    private HttpURLConnection open(URI uri, Duration timeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        if (connection instanceof HttpsURLConnection https && tls.isPresent()) {
            https.setSSLSocketFactory(tls.get());
        }
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) timeout.toMillis());
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        return connection;
    }
}
