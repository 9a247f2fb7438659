package dev.patchtide.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** {@link HttpTransport} over a {@link HttpClient} the caller shares (one pool for many credentials). */
final class JdkHttpTransport implements HttpTransport {
    private final HttpClient http;

    JdkHttpTransport(HttpClient http) {
        this.http = http;
    }

    @Override
    public Answer post(URI uri, Map<String, String> headers, byte[] body, Duration timeout, int maxBytes)
            throws IOException {
        HttpResponse<InputStream> response = send(postRequest(uri, headers, body, timeout));
        if (response.headers().firstValueAsLong("Content-Length").orElse(0) > maxBytes) {
            response.body().close();
            throw HttpTransport.tooLarge(uri, maxBytes);
        }
        try (InputStream in = response.body()) {
            byte[] answer = in.readNBytes(maxBytes + 1);
            if (answer.length > maxBytes) {
                throw HttpTransport.tooLarge(uri, maxBytes);
            }
            return new Answer(response.statusCode(), answer);
        }
    }

    @Override
    public Answer postForLines(
            URI uri, Map<String, String> headers, byte[] body, Duration timeout, int maxLine, Lines each)
            throws IOException {
        // The request timeout of HttpClient bounds only the wait for the answer's headers, not the body after them.
        HttpResponse<InputStream> response = send(postRequest(uri, headers, body, timeout));
        boolean streamed = response.statusCode() / 100 == 2
                && HttpTransport.isLines(
                        response.headers().firstValue("Content-Type").orElse(null));
        if (!streamed) {
            try (InputStream in = response.body()) {
                byte[] answer = in.readNBytes(maxLine + 1);
                if (answer.length > maxLine) {
                    throw HttpTransport.tooLarge(uri, maxLine);
                }
                return new Answer(response.statusCode(), answer);
            }
        }
        try (InputStream in = response.body()) {
            HttpTransport.readLines(uri, in, maxLine, each);
        }
        return new Answer(response.statusCode(), new byte[0]);
    }

    private static HttpRequest postRequest(URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(uri).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        // Host is set by the HTTP client itself (a restricted header); it signs the same value.
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("host")) {
                builder.header(name, value);
            }
        });
        return builder.build();
    }

    @Override
    public void download(URI uri, Duration timeout, long maxBytes, Path to) throws IOException {
        HttpResponse<InputStream> response =
                send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build());
        try (InputStream in = response.body();
                OutputStream out = Files.newOutputStream(to)) {
            if (response.statusCode() != 200) {
                throw new IOException("the server answered HTTP " + response.statusCode() + " for " + uri.getPath());
            }
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new IOException(uri.getPath() + " is larger than the " + maxBytes + " bytes expected");
                }
                out.write(buffer, 0, n);
            }
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + request.uri(), e);
        }
    }
}
