package dev.patchtide.server.connections;

import dev.patchtide.server.api.Validation;
import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import dev.patchtide.server.connections.ConnectionMessages.ConnectivityParameters;
import dev.patchtide.server.connections.ConnectionMessages.HttpParameter;
import dev.patchtide.server.connections.ConnectionMessages.HttpParameters;
import dev.patchtide.server.connections.ConnectionMessages.OAuthParameters;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/** The constraints EventBridge's model puts on connection and API destination members. */
final class AuthRules {
    private AuthRules() {}

    static final Pattern NAME = Pattern.compile("[\\.\\-_A-Za-z0-9]+");
    static final Pattern ENDPOINT =
            Pattern.compile("^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$");
    private static final Pattern HEADER_KEY = Pattern.compile("^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$");
    private static final Pattern QUERY_KEY = Pattern.compile("[^\\x00-\\x1F\\x7F]+");
    private static final Pattern QUERY_VALUE = Pattern.compile("[^\\x00-\\x09\\x0B\\x0C\\x0E-\\x1F\\x7F]+");
    // AWS's patterns for auth and header values backtrack exponentially on long inputs: checked by hand below.
    private static final String AUTH_HEADER_AWS =
            "^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$";
    private static final String HEADER_VALUE_AWS = "^[ \\t]*[\\x20-\\x7E]+([ \\t]+[\\x20-\\x7E]+)*[ \\t]*$";
    private static final List<String> OAUTH_METHODS = List.of("GET", "POST", "PUT");

    static void name(Validation v, String field, String value, boolean required) {
        if (required) {
            v.required(field, value);
        }
        v.length(field, value, 1, 64).pattern(field, value, NAME);
    }

    /** An https (or, in Patchtide, plain http) URL as EventBridge's HttpsEndpoint shape allows. */
    static void endpoint(Validation v, String field, String value) {
        v.length(field, value, 1, 2048).pattern(field, value, ENDPOINT);
        if (value != null && ENDPOINT.matcher(value).matches()) {
            v.check(
                    isHttpUrl(value),
                    "Value '" + value + "' at '" + field + "' failed to satisfy constraint: "
                            + "Member must be an https:// (or http://) URL with a host");
        }
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value.replace("*", "x"));
            return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    static void unsupported(Validation v, ConnectivityParameters connectivity, String kmsKeyIdentifier) {
        v.check(
                connectivity == null,
                "InvocationConnectivityParameters (private endpoints through VPC Lattice) are not supported by"
                        + " Patchtide");
        v.check(
                kmsKeyIdentifier == null || kmsKeyIdentifier.isEmpty(),
                "KmsKeyIdentifier is not supported: Patchtide encrypts connection secrets with its own server key"
                        + " (secret-key-file)");
    }

    /** CreateConnection: exactly the parameters of the chosen type, each complete. */
    static void forCreate(Validation v, AuthType type, AuthParameters p) {
        String at = "authParameters.";
        v.check(
                (p.basicAuthParameters() != null) == (type == AuthType.BASIC)
                        && (p.apiKeyAuthParameters() != null) == (type == AuthType.API_KEY)
                        && (p.oAuthParameters() != null) == (type == AuthType.OAUTH_CLIENT_CREDENTIALS),
                switch (type) {
                    case BASIC -> "AuthorizationType BASIC takes BasicAuthParameters and no other auth parameters";
                    case API_KEY -> "AuthorizationType API_KEY takes ApiKeyAuthParameters and no other auth parameters";
                    case OAUTH_CLIENT_CREDENTIALS ->
                        "AuthorizationType OAUTH_CLIENT_CREDENTIALS takes OAuthParameters and no other auth parameters";
                    case NONE ->
                        "AuthorizationType NONE takes no BasicAuthParameters, ApiKeyAuthParameters or"
                                + " OAuthParameters";
                });
        if (p.basicAuthParameters() != null) {
            v.required(
                            at + "basicAuthParameters.username",
                            p.basicAuthParameters().username())
                    .required(
                            at + "basicAuthParameters.password",
                            p.basicAuthParameters().password());
        }
        if (p.apiKeyAuthParameters() != null) {
            v.required(
                            at + "apiKeyAuthParameters.apiKeyName",
                            p.apiKeyAuthParameters().apiKeyName())
                    .required(
                            at + "apiKeyAuthParameters.apiKeyValue",
                            p.apiKeyAuthParameters().apiKeyValue());
        }
        OAuthParameters o = p.oAuthParameters();
        if (o != null) {
            v.required(at + "oAuthParameters.clientParameters", o.clientParameters())
                    .required(at + "oAuthParameters.authorizationEndpoint", o.authorizationEndpoint())
                    .required(at + "oAuthParameters.httpMethod", o.httpMethod());
            if (o.clientParameters() != null) {
                v.required(
                                at + "oAuthParameters.clientParameters.clientID",
                                o.clientParameters().clientId())
                        .required(
                                at + "oAuthParameters.clientParameters.clientSecret",
                                o.clientParameters().clientSecret());
            }
        }
        forUpdate(v, p);
    }

    /** The value constraints of whatever members are present (UpdateConnection may send any subset). */
    static void forUpdate(Validation v, AuthParameters p) {
        String at = "authParameters.";
        if (p.basicAuthParameters() != null) {
            authHeader(
                    v,
                    at + "basicAuthParameters.username",
                    p.basicAuthParameters().username());
            secret(
                    v,
                    at + "basicAuthParameters.password",
                    p.basicAuthParameters().password());
        }
        if (p.apiKeyAuthParameters() != null) {
            authHeader(
                    v,
                    at + "apiKeyAuthParameters.apiKeyName",
                    p.apiKeyAuthParameters().apiKeyName());
            secret(
                    v,
                    at + "apiKeyAuthParameters.apiKeyValue",
                    p.apiKeyAuthParameters().apiKeyValue());
        }
        OAuthParameters o = p.oAuthParameters();
        if (o != null) {
            if (o.clientParameters() != null) {
                authHeader(
                        v,
                        at + "oAuthParameters.clientParameters.clientID",
                        o.clientParameters().clientId());
                secret(
                        v,
                        at + "oAuthParameters.clientParameters.clientSecret",
                        o.clientParameters().clientSecret());
            }
            endpoint(v, at + "oAuthParameters.authorizationEndpoint", o.authorizationEndpoint());
            v.oneOf(at + "oAuthParameters.httpMethod", o.httpMethod(), OAUTH_METHODS);
            httpParameters(v, at + "oAuthParameters.oAuthHttpParameters", o.oAuthHttpParameters());
        }
        httpParameters(v, at + "invocationHttpParameters", p.invocationHttpParameters());
        unsupported(v, p.connectivityParameters(), null);
    }

    private static void httpParameters(Validation v, String at, HttpParameters p) {
        if (p == null) {
            return;
        }
        v.size(at + ".headerParameters", p.headerParameters(), 0, 100)
                .size(at + ".queryStringParameters", p.queryStringParameters(), 0, 100)
                .size(at + ".bodyParameters", p.bodyParameters(), 0, 100);
        int i = 0;
        for (HttpParameter h : p.headers()) {
            String f = at + ".headerParameters." + ++i;
            v.required(f + ".member.key", h.key())
                    .required(f + ".member.value", h.value())
                    .length(f + ".member.key", h.key(), 0, 512)
                    .pattern(f + ".member.key", h.key(), HEADER_KEY);
            parameterValue(v, f + ".member.value", h, h.value() == null || headerValue(h.value()), HEADER_VALUE_AWS);
        }
        i = 0;
        for (HttpParameter q : p.query()) {
            String f = at + ".queryStringParameters." + ++i;
            v.required(f + ".member.key", q.key())
                    .required(f + ".member.value", q.value())
                    .length(f + ".member.key", q.key(), 0, 512)
                    .pattern(f + ".member.key", q.key(), QUERY_KEY);
            parameterValue(
                    v,
                    f + ".member.value",
                    q,
                    q.value() == null || QUERY_VALUE.matcher(q.value()).matches(),
                    QUERY_VALUE.pattern());
        }
        i = 0;
        for (HttpParameter b : p.body()) {
            String f = at + ".bodyParameters." + ++i;
            v.required(f + ".member.key", b.key()).required(f + ".member.value", b.value());
        }
    }

    /** At most 512 characters and the pattern; a secret value ({@code IsValueSecret}) is not repeated. */
    private static void parameterValue(Validation v, String field, HttpParameter p, boolean matches, String pattern) {
        String shown = p.secret() ? "Value at '" + field + "'" : "Value '" + p.value() + "' at '" + field + "'";
        v.check(
                p.value() == null || p.value().length() <= 512,
                shown + " failed to satisfy constraint: Member must have length less than or equal to 512");
        v.check(
                matches,
                shown + " failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern);
    }

    private static void authHeader(Validation v, String field, String value) {
        v.length(field, value, 1, 512);
        if (value != null && !value.isEmpty() && value.length() <= 512 && !authHeaderValue(value)) {
            awsPattern(v, field, value, AUTH_HEADER_AWS);
        }
    }

    /** As {@link #authHeader} for passwords, key values and client secrets: the message never repeats them. */
    private static void secret(Validation v, String field, String value) {
        if (value == null) {
            return;
        }
        v.check(
                !value.isEmpty() && value.length() <= 512,
                "Value at '" + field + "' failed to satisfy constraint: Member must have length between 1 and 512");
        v.check(
                value.isEmpty() || value.length() > 512 || authHeaderValue(value),
                "Value at '" + field + "' failed to satisfy constraint: Member must satisfy regular expression"
                        + " pattern: " + AUTH_HEADER_AWS);
    }

    /** AWS's AuthHeaderParameters: no control characters but tab, no colon, not blank. */
    static boolean authHeaderValue(String value) {
        boolean visible = false;
        for (char c : value.toCharArray()) {
            if (c == ':' || c == 0x7F || (c < 0x20 && c != '\t')) {
                return false;
            }
            visible |= c != ' ' && c != '\t';
        }
        return visible;
    }

    /** AWS's HeaderValueSensitive: printable ASCII and tabs, not blank. */
    static boolean headerValue(String value) {
        boolean visible = false;
        for (char c : value.toCharArray()) {
            if (c != '\t' && (c < 0x20 || c > 0x7E)) {
                return false;
            }
            visible |= c != ' ' && c != '\t';
        }
        return visible;
    }

    private static void awsPattern(Validation v, String field, String value, String pattern) {
        v.check(
                false,
                "Value '" + value + "' at '" + field + "' failed to satisfy constraint: Member must satisfy"
                        + " regular expression pattern: " + pattern);
    }
}
