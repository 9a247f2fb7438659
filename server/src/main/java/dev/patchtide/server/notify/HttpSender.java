package dev.patchtide.server.notify;

import dev.patchtide.server.delivery.DeliveryFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs a body to a webhook and classifies the outcome as the outbox wants it: 2xx delivered; timeouts,
 * refused connections, 5xx and 429 retryable; any other status permanent. Every request carries
 * {@code X-Patchtide-Delivery-Id} so a receiver can drop the duplicate a crash may cause.
 */
final class HttpSender {
    static final String DELIVERY_ID_HEADER = "X-Patchtide-Delivery-Id";

    private final HttpClient client;
    private final Duration timeout;

    HttpSender(Duration timeout) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.timeout = timeout;
    }

    void post(String url, String contentType, String body, Map<String, String> headers, long deliveryId)
            throws DeliveryFailure {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Content-Type", contentType)
                .header("User-Agent", "Patchtide-Notifications")
                .header(DELIVERY_ID_HEADER, Long.toString(deliveryId))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw DeliveryFailure.retryable("timed out after " + timeout.toMillis() + " ms: " + host(url), e);
        } catch (IOException e) {
            throw DeliveryFailure.retryable("could not reach " + host(url) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryFailure.retryable("interrupted while sending to " + host(url), e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String reason = host(url) + " answered HTTP " + status + ": " + abbreviate(response.body());
        if (status >= 500 || status == 429) {
            throw DeliveryFailure.retryable(reason);
        }
        throw DeliveryFailure.permanent(reason);
    }

    /** The endpoint without its path: webhook URLs carry their secret in the path, logs must not. */
    private static String host(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    private static String abbreviate(String body) {
        return body.length() <= 200 ? body : body.substring(0, 200) + "…";
    }

    /** {@code InvalidParameter} naming Endpoint unless the text is an absolute http(s) URL with a host. */
    static void checkUrl(String endpoint, String protocol, boolean httpsOnly) {
        URI uri;
        try {
            uri = endpoint == null ? null : new URI(endpoint);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        boolean ok = uri != null
                && uri.getHost() != null
                && ("https".equals(uri.getScheme()) || (!httpsOnly && "http".equals(uri.getScheme())));
        if (!ok) {
            throw SnsErrors.invalidParameter("Endpoint Reason: a " + protocol + " endpoint must be an absolute "
                    + (httpsOnly ? "https" : "http(s)") + " URL");
        }
    }
}
