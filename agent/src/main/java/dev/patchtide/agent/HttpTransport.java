package dev.patchtide.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;

/**
 * How an {@link ApiClient} moves its bytes. The agent's daemon uses {@link UrlConnectionTransport}: the JDK's
 * {@code HttpsURLConnection} sits on the TLS classes the agent loads anyway, where {@code java.net.http} adds
 * ≈ 500 classes and a selector thread to a process that lives for months (bench/README.md, "Fewer classes").
 * Callers that share one {@link HttpClient} between many credentials (the admin CLI, the fleet simulator) keep it.
 */
public sealed interface HttpTransport permits UrlConnectionTransport, JdkHttpTransport {
    /** The connection is given up when the server has not answered (or sent the next bytes) for so long. */
    Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** An answer: its status and its whole body, which was at most the size the caller allowed. */
    record Answer(int status, byte[] body) {}

    /**
     * POSTs {@code body} with {@code headers} (Host is the transport's own) and reads the answer, refusing one
     * longer than {@code maxBytes} before it is read whole.
     */
    Answer post(URI uri, Map<String, String> headers, byte[] body, Duration timeout, int maxBytes) throws IOException;

    /** GETs {@code uri} into {@code to}; fails once more than {@code maxBytes} arrive or on a status other than 200. */
    void download(URI uri, Duration timeout, long maxBytes, Path to) throws IOException;

    /** Breaks off the call {@code thread} is waiting in, if any (a blocked read does not heed interruption). */
    default void abort(Thread thread) {}

    /** Over {@code HttpURLConnection}: for https, trusting what {@code tls} trusts (the JDK's CAs when empty). */
    static HttpTransport urlConnection(Optional<SSLSocketFactory> tls) {
        return new UrlConnectionTransport(tls);
    }

    /** Over a shared {@link HttpClient}. */
    static HttpTransport of(HttpClient http) {
        return new JdkHttpTransport(http);
    }

    /** The error for an answer longer than allowed; it names the size, never the content. */
    static IOException tooLarge(URI uri, long maxBytes) {
        return new IOException("the server's answer from " + uri + " is larger than " + maxBytes + " bytes");
    }
}
