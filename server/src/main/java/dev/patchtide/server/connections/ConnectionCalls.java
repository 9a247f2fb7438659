package dev.patchtide.server.connections;

import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import dev.patchtide.server.connections.ConnectionMessages.HttpParameter;
import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.secrets.SecretBox;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * Calls made on behalf of a workflow through a connection, as Step Functions' HTTP Task and this server's Lambda
 * mapping make them: the connection's invocation parameters merged in (the connection wins, as EventBridge
 * documents), its authorization applied (API key, Basic, or an OAuth client-credentials token, fetched again once
 * after a 401/407), one request with a timeout, and an answer read up to a limit. Failures are typed, and their
 * messages never carry a class name or a query string (which may hold secrets).
 */
public final class ConnectionCalls {
    /** One name and value: a query parameter, or a body parameter of the connection. */
    public record Param(String key, String value) {}

    /**
     * What to send. {@code body} builds the body from the connection's body parameters (which only the caller knows
     * how to merge into its encoding); empty for no body.
     */
    public record Outgoing(
            String method,
            String endpoint,
            List<Param> query,
            Map<String, String> headers,
            Function<List<Param>, Optional<String>> body) {}

    /** The answer: status, headers as sent (names as the server wrote them), the body up to the limit. */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {}

    /** A call that brought no usable answer. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        public enum Kind {
            /** No connection (or API destination) of that ARN or name. */
            NOT_FOUND,
            /** The connection is DEAUTHORIZED, or its token endpoint refused the client. */
            NOT_AUTHORIZED,
            /** An OAuth connection still waits for its first token. */
            AUTHORIZING,
            /** The endpoint did not answer within the timeout. */
            TIMEOUT,
            /** The endpoint could not be reached, or the connection broke. */
            UNREACHABLE,
            /** The answer is larger than the limit. */
            TOO_LARGE,
            /** The request cannot be made as given (a bad URL or header). */
            INVALID
        }

        private final Kind kind;

        Failure(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    // HttpClient sets these itself and refuses them from callers.
    private static final java.util.Set<String> RESTRICTED =
            java.util.Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final Jdbi jdbi;
    private final ConnectionStore store;
    private final ConnectionSecrets secrets;
    private final OAuthTokens tokens;
    private final HttpClient http;

    ConnectionCalls(Jdbi jdbi, ConnectionStore store, ConnectionSecrets secrets, OAuthTokens tokens) {
        this.jdbi = jdbi;
        this.store = store;
        this.secrets = secrets;
        this.tokens = tokens;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** An API destination, as a workflow's Lambda mapping finds it by name. */
    public record Destination(String name, String arn, String endpoint, String httpMethod, String connectionArn) {}

    public Optional<Destination> destination(String name) {
        return jdbi.withHandle(h -> ApiDestinationStore.byName(h, name, false))
                .map(d ->
                        new Destination(d.name(), d.arn(), d.invocationEndpoint(), d.httpMethod(), d.connectionArn()));
    }

    /**
     * Makes the call through the connection.
     *
     * @param timeout how long the endpoint has to answer
     * @param limit the most body bytes read; a longer body fails with {@link Failure.Kind#TOO_LARGE}
     */
    public Answer call(String connectionArn, Outgoing outgoing, Duration timeout, int limit) throws Failure {
        Connection connection = jdbi.withHandle(h -> store.byArn(h, connectionArn))
                .orElseThrow(() -> new Failure(Failure.Kind.NOT_FOUND, "Connection " + connectionArn + " not found"));
        switch (connection.state()) {
            case AUTHORIZED -> {}
            case AUTHORIZING ->
                throw new Failure(
                        Failure.Kind.AUTHORIZING, "Connection " + connection.name() + " is still being authorized");
            default ->
                throw new Failure(
                        Failure.Kind.NOT_AUTHORIZED,
                        "Connection " + connection.name() + " is " + connection.state()
                                + connection.stateReason().map(r -> ": " + r).orElse(""));
        }
        AuthParameters auth;
        try {
            auth = secrets.open(connection);
        } catch (SecretBox.WrongKeyException e) {
            throw new Failure(
                    Failure.Kind.NOT_AUTHORIZED,
                    "The credentials of connection " + connection.name() + " cannot be read with this server's key");
        }
        var invocation = auth.invocation();
        Map<String, String> query = new LinkedHashMap<>();
        outgoing.query().forEach(p -> query.merge(p.key(), p.value(), (a, b) -> a + "\u0000" + b));
        invocation.query().forEach(p -> query.put(p.key(), p.value()));
        URI uri = uri(outgoing.endpoint(), query);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(outgoing.headers());
        invocation.headers().forEach(p -> headers.put(p.key(), p.value()));
        Optional<String> body = outgoing.body().apply(params(invocation.body()));
        Optional<String> token = authorize(connection, auth, headers, Optional.empty());
        HttpResponse<InputStream> response = send(outgoing.method(), uri, headers, body, timeout);
        if ((response.statusCode() == 401 || response.statusCode() == 407) && token.isPresent()) {
            discard(response);
            authorize(connection, auth, headers, token);
            response = send(outgoing.method(), uri, headers, body, timeout);
        }
        return new Answer(response.statusCode(), response.headers().map(), read(response, limit, uri));
    }

    private static List<Param> params(List<HttpParameter> list) {
        return list.stream().map(p -> new Param(p.key(), p.value())).toList();
    }

    private Optional<String> authorize(
            Connection connection, AuthParameters auth, Map<String, String> headers, Optional<String> refused)
            throws Failure {
        try {
            return AuthHeaders.put(connection, auth, tokens, headers, refused);
        } catch (DeliveryFailure e) {
            throw new Failure(
                    e.retryable() ? Failure.Kind.UNREACHABLE : Failure.Kind.NOT_AUTHORIZED,
                    "No OAuth token for connection " + connection.name() + ": " + e.getMessage());
        }
    }

    private HttpResponse<InputStream> send(
            String method, URI uri, Map<String, String> headers, Optional<String> body, Duration timeout)
            throws Failure {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .method(
                            method,
                            body.map(HttpRequest.BodyPublishers::ofString)
                                    .orElseGet(HttpRequest.BodyPublishers::noBody));
            headers.forEach((name, value) -> {
                if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                    request.header(name, value);
                }
            });
        } catch (IllegalArgumentException e) {
            throw new Failure(Failure.Kind.INVALID, "The request to " + withoutQuery(uri) + " is not valid");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new Failure(
                    Failure.Kind.TIMEOUT,
                    withoutQuery(uri) + " did not answer within " + timeout.toSeconds() + " seconds");
        } catch (ConnectException e) {
            throw new Failure(Failure.Kind.UNREACHABLE, "Could not connect to " + withoutQuery(uri));
        } catch (IOException e) {
            throw new Failure(Failure.Kind.UNREACHABLE, "The connection to " + withoutQuery(uri) + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Failure.Kind.UNREACHABLE, "The call to " + withoutQuery(uri) + " was interrupted");
        }
    }

    private static byte[] read(HttpResponse<InputStream> response, int limit, URI uri) throws Failure {
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw new Failure(Failure.Kind.TOO_LARGE, "The answer of " + withoutQuery(uri) + " is too large");
            }
            return body;
        } catch (IOException e) {
            throw new Failure(Failure.Kind.UNREACHABLE, "The answer of " + withoutQuery(uri) + " broke off");
        }
    }

    private static void discard(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.readNBytes(64 * 1024);
        } catch (IOException ignored) {
            // A refused answer's body is not needed.
        }
    }

    /** The endpoint with the query appended; a name given several times (joined by NUL) repeats. */
    private static URI uri(String endpoint, Map<String, String> query) throws Failure {
        StringBuilder url = new StringBuilder(endpoint);
        if (!query.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            query.forEach((k, v) -> {
                for (String one : v.split("\u0000", -1)) {
                    pairs.add(encode(k) + "=" + encode(one));
                }
            });
            url.append(endpoint.contains("?") ? (endpoint.endsWith("?") ? "" : "&") : "?")
                    .append(String.join("&", pairs));
        }
        try {
            URI uri = URI.create(url.toString());
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new Failure(Failure.Kind.INVALID, "The endpoint is not a valid http(s) URL");
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** For messages that reach histories and logs: query strings may carry secret parameters. */
    public static String withoutQuery(URI uri) {
        return ApiDestinationDeliverer.withoutQuery(uri);
    }
}
