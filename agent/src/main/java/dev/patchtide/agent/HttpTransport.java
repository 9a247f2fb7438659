package dev.patchtide.agent;

import java.io.IOException;
import java.io.InputStream;
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

    /** Takes each line of a streamed answer as it arrives (without its line break). */
    @FunctionalInterface
    interface Lines {
        void accept(byte[] line) throws IOException;
    }

    /** The content type of an answer streamed as lines of JSON, one object a line. */
    String LINES_TYPE = "application/x-ndjson";

    /**
     * As {@link #post}, for a call whose answer may be streamed: a 2xx answer of type {@link #LINES_TYPE} is handed
     * to {@code each} line by line as its bytes arrive (a line longer than {@code maxLine} fails the call, the rest
     * unread) and its Answer's body is empty; any other answer is returned whole, as {@link #post} returns it.
     * {@code timeout} bounds each wait for the next bytes, not the whole stream.
     */
    Answer postForLines(URI uri, Map<String, String> headers, byte[] body, Duration timeout, int maxLine, Lines each)
            throws IOException;

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

    /** Hands {@code in}'s lines to {@code each} as they arrive, each at most {@code maxLine} bytes, to its end. */
    static void readLines(URI uri, InputStream in, int maxLine, Lines each) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    line.write(buffer, from, i - from);
                    from = i + 1;
                    if (line.size() > maxLine) {
                        throw tooLarge(uri, maxLine);
                    }
                    each.accept(line.toByteArray());
                    line.reset();
                }
            }
            line.write(buffer, from, n - from);
            if (line.size() > maxLine) {
                throw tooLarge(uri, maxLine);
            }
        }
        if (line.size() > 0) {
            throw new java.io.EOFException("the stream from " + uri.getPath() + " ended inside a line");
        }
    }

    /** Whether an answer's Content-Type is {@link #LINES_TYPE} (parameters aside). */
    static boolean isLines(String contentType) {
        return contentType != null
                && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(LINES_TYPE);
    }

    /** The error for an answer longer than allowed; it names the size, never the content. */
    static IOException tooLarge(URI uri, long maxBytes) {
        return new IOException("the server's answer from " + uri + " is larger than " + maxBytes + " bytes");
    }
}
