package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;
import software.amazon.awssdk.services.eventbridge.model.ConnectionHttpParameters;
import software.amazon.awssdk.services.eventbridge.model.ConnectionState;
import software.amazon.awssdk.services.eventbridge.model.CreateConnectionResponse;
import software.amazon.awssdk.services.eventbridge.model.DescribeConnectionResponse;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.ListConnectionsResponse;
import software.amazon.awssdk.services.eventbridge.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException;

// The SDK's parameter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class ConnectionApiTest {
    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private EventBridgeClient events;

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        events = EventsClients.of(server);
    }

    @AfterEach
    void stop() {
        events.close();
        server.close();
    }

    static ConnectionHttpParameters invocationParameters() {
        return ConnectionHttpParameters.builder()
                .headerParameters(
                        h -> h.key("X-Team").value("platform").isValueSecret(false),
                        h -> h.key("X-Signing").value("hidden-header-value").isValueSecret(true))
                .queryStringParameters(q -> q.key("source").value("patchtide"))
                .bodyParameters(b -> b.key("channel").value("#ops"))
                .build();
    }

    @Test
    void basicConnectionIsAuthorizedAndNeverShowsItsPassword() {
        CreateConnectionResponse created = events.createConnection(b -> b.name("ops-basic")
                .description("basic auth")
                .authorizationType(ConnectionAuthorizationType.BASIC)
                .authParameters(
                        a -> a.basicAuthParameters(p -> p.username("alice").password("s3cret-password"))
                                .invocationHttpParameters(invocationParameters())));
        assertThat(created.connectionArn())
                .matches("arn:aws:events:us-east-1:123456789012:connection/ops-basic/[0-9a-f-]{36}");
        assertThat(created.connectionState()).isEqualTo(ConnectionState.AUTHORIZED);
        assertThat(created.creationTime()).isEqualTo(created.lastModifiedTime());

        DescribeConnectionResponse described = events.describeConnection(b -> b.name("ops-basic"));
        assertThat(described.connectionArn()).isEqualTo(created.connectionArn());
        assertThat(described.description()).isEqualTo("basic auth");
        assertThat(described.authorizationType()).isEqualTo(ConnectionAuthorizationType.BASIC);
        assertThat(described.connectionState()).isEqualTo(ConnectionState.AUTHORIZED);
        assertThat(described.lastAuthorizedTime()).isEqualTo(created.creationTime());
        assertThat(described.authParameters().basicAuthParameters().username()).isEqualTo("alice");
        var headers = described.authParameters().invocationHttpParameters().headerParameters();
        assertThat(headers).hasSize(2);
        assertThat(headers.get(0).value()).isEqualTo("platform");
        assertThat(headers.get(1).key()).isEqualTo("X-Signing");
        assertThat(headers.get(1).value()).isNull();
        assertThat(headers.get(1).isValueSecret()).isTrue();
        assertThat(described
                        .authParameters()
                        .invocationHttpParameters()
                        .bodyParameters()
                        .getFirst()
                        .value())
                .isEqualTo("#ops");
        assertThat(described.toString()).doesNotContain("s3cret-password").doesNotContain("hidden-header-value");
    }

    @Test
    void apiKeyOAuthAndPatchtidesNoneTypeAreDescribedWithoutSecrets() {
        events.createConnection(b -> b.name("key")
                .authorizationType(ConnectionAuthorizationType.API_KEY)
                .authParameters(a ->
                        a.apiKeyAuthParameters(p -> p.apiKeyName("X-Api-Key").apiKeyValue("k-123"))));
        events.createConnection(b -> b.name("oauth")
                .authorizationType(ConnectionAuthorizationType.OAUTH_CLIENT_CREDENTIALS)
                .authParameters(a -> a.oAuthParameters(o -> o.authorizationEndpoint("https://127.0.0.1:1/token")
                        .httpMethod("POST")
                        .clientParameters(c -> c.clientID("client-1").clientSecret("oauth-secret"))
                        .oAuthHttpParameters(
                                p -> p.bodyParameters(x -> x.key("scope").value("events"))))));
        events.createConnection(b -> b.name("open").authorizationType("NONE").authParameters(a -> {}));

        var key = events.describeConnection(b -> b.name("key"));
        assertThat(key.authParameters().apiKeyAuthParameters().apiKeyName()).isEqualTo("X-Api-Key");
        assertThat(key.toString()).doesNotContain("k-123");

        var oauth = events.describeConnection(b -> b.name("oauth"));
        // Nothing answers on port 1: the connection stays where it was until a token arrives.
        assertThat(oauth.connectionState()).isIn(ConnectionState.AUTHORIZING);
        assertThat(oauth.authParameters().oAuthParameters().clientParameters().clientID())
                .isEqualTo("client-1");
        assertThat(oauth.authParameters().oAuthParameters().authorizationEndpoint())
                .isEqualTo("https://127.0.0.1:1/token");
        assertThat(oauth.authParameters()
                        .oAuthParameters()
                        .oAuthHttpParameters()
                        .bodyParameters())
                .hasSize(1);
        assertThat(oauth.toString()).doesNotContain("oauth-secret");

        var open = events.describeConnection(b -> b.name("open"));
        assertThat(open.authorizationTypeAsString()).isEqualTo("NONE");
        assertThat(open.connectionState()).isEqualTo(ConnectionState.AUTHORIZED);
    }

    @Test
    void listFiltersByPrefixAndStateAndPages() {
        for (String name : List.of("a-1", "a-2", "a-3", "b-1")) {
            events.createConnection(b -> b.name(name).authorizationType("NONE").authParameters(a -> {}));
        }
        events.deauthorizeConnection(b -> b.name("a-2"));

        ListConnectionsResponse first =
                events.listConnections(b -> b.namePrefix("a-").limit(2));
        assertThat(first.connections()).extracting(c -> c.name()).containsExactly("a-1", "a-2");
        assertThat(first.nextToken()).isNotNull();
        ListConnectionsResponse second =
                events.listConnections(b -> b.namePrefix("a-").limit(2).nextToken(first.nextToken()));
        assertThat(second.connections()).extracting(c -> c.name()).containsExactly("a-3");
        assertThat(second.nextToken()).isNull();

        assertThat(events.listConnections(b -> b.connectionState(ConnectionState.DEAUTHORIZED))
                        .connections())
                .extracting(c -> c.name(), c -> c.connectionState())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a-2", ConnectionState.DEAUTHORIZED));
        assertThat(events.listConnections(b -> {}).connections()).hasSize(4);
        assertThatThrownBy(() -> events.listConnections(b -> b.nextToken("bogus")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("token");
    }

    @Test
    void updateMergesCredentialsAndCanChangeTheType() {
        var created = events.createConnection(b -> b.name("hook")
                .authorizationType(ConnectionAuthorizationType.BASIC)
                .authParameters(
                        a -> a.basicAuthParameters(p -> p.username("alice").password("one"))));
        clock.advance(Duration.ofMinutes(1));

        var updated = events.updateConnection(
                b -> b.name("hook").authParameters(a -> a.basicAuthParameters(p -> p.password("two"))));
        assertThat(updated.connectionArn()).isEqualTo(created.connectionArn());
        assertThat(updated.lastModifiedTime()).isAfter(created.lastModifiedTime());
        assertThat(updated.connectionState()).isEqualTo(ConnectionState.AUTHORIZED);
        assertThat(events.describeConnection(b -> b.name("hook"))
                        .authParameters()
                        .basicAuthParameters()
                        .username())
                .isEqualTo("alice");

        events.updateConnection(b -> b.name("hook").description("now with a key"));
        assertThat(events.describeConnection(b -> b.name("hook")).description()).isEqualTo("now with a key");

        // Changing the type needs the new type's parameters, complete.
        assertThatThrownBy(() -> events.updateConnection(
                        b -> b.name("hook").authorizationType(ConnectionAuthorizationType.API_KEY)))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("AuthorizationType API_KEY takes ApiKeyAuthParameters");
        events.updateConnection(b -> b.name("hook")
                .authorizationType(ConnectionAuthorizationType.API_KEY)
                .authParameters(
                        a -> a.apiKeyAuthParameters(p -> p.apiKeyName("X-Key").apiKeyValue("v"))));
        var described = events.describeConnection(b -> b.name("hook"));
        assertThat(described.authorizationType()).isEqualTo(ConnectionAuthorizationType.API_KEY);
        assertThat(described.authParameters().basicAuthParameters()).isNull();
        assertThat(described.authParameters().apiKeyAuthParameters().apiKeyName())
                .isEqualTo("X-Key");
    }

    @Test
    void deauthorizeRemovesCredentialsAndUpdateAuthorizesAgain() {
        events.createConnection(b -> b.name("hook")
                .authorizationType(ConnectionAuthorizationType.API_KEY)
                .authParameters(
                        a -> a.apiKeyAuthParameters(p -> p.apiKeyName("X-Key").apiKeyValue("v1"))));
        var deauthorized = events.deauthorizeConnection(b -> b.name("hook"));
        assertThat(deauthorized.connectionState()).isEqualTo(ConnectionState.DEAUTHORIZED);
        var described = events.describeConnection(b -> b.name("hook"));
        assertThat(described.connectionState()).isEqualTo(ConnectionState.DEAUTHORIZED);
        assertThat(described.stateReason()).contains("DeauthorizeConnection");

        var again = events.updateConnection(
                b -> b.name("hook").authParameters(a -> a.apiKeyAuthParameters(p -> p.apiKeyValue("v2"))));
        assertThat(again.connectionState()).isEqualTo(ConnectionState.AUTHORIZED);
        assertThat(events.describeConnection(b -> b.name("hook")).stateReason()).isNull();
    }

    @Test
    void deleteAnswersDeletingAndTheNameIsFreeAgain() {
        var created = events.createConnection(
                b -> b.name("gone").authorizationType("NONE").authParameters(a -> {}));
        var deleted = events.deleteConnection(b -> b.name("gone"));
        assertThat(deleted.connectionArn()).isEqualTo(created.connectionArn());
        assertThat(deleted.connectionState()).isEqualTo(ConnectionState.DELETING);
        assertThatThrownBy(() -> events.describeConnection(b -> b.name("gone")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Connection 'gone' does not exist");
        var recreated = events.createConnection(
                b -> b.name("gone").authorizationType("NONE").authParameters(a -> {}));
        assertThat(recreated.connectionArn()).isNotEqualTo(created.connectionArn());
    }

    @Test
    void missingConnectionsAreNotFoundEverywhere() {
        assertThatThrownBy(() -> events.describeConnection(b -> b.name("nope")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> events.updateConnection(b -> b.name("nope").description("x")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> events.deauthorizeConnection(b -> b.name("nope")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> events.deleteConnection(b -> b.name("nope")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void duplicateNameIsRefused() {
        events.createConnection(b -> b.name("dup").authorizationType("NONE").authParameters(a -> {}));
        assertThatThrownBy(() -> events.createConnection(
                        b -> b.name("dup").authorizationType("NONE").authParameters(a -> {})))
                .isInstanceOf(ResourceAlreadyExistsException.class)
                .hasMessageContaining("dup");
    }

    @Test
    void invalidRequestsNameTheFieldAndChangeNothing() {
        assertValidation(
                b -> b.name("bad name!").authorizationType("NONE").authParameters(a -> {}),
                "at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern");
        assertValidation(
                b -> b.name("x".repeat(65)).authorizationType("NONE").authParameters(a -> {}),
                "Member must have length less than or equal to 64");
        assertValidation(
                b -> b.name("t").authorizationType("DIGEST").authParameters(a -> {}),
                "at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set");
        assertValidation(
                b -> b.name("t").authorizationType("BASIC"),
                "Value null at 'authParameters' failed to satisfy constraint: Member must not be null");
        assertValidation(
                b -> b.name("t").authorizationType("BASIC").authParameters(a -> {}),
                "AuthorizationType BASIC takes BasicAuthParameters");
        assertValidation(
                b -> b.name("t")
                        .authorizationType("BASIC")
                        .authParameters(a -> a.basicAuthParameters(p -> p.username("alice"))),
                "Value null at 'authParameters.basicAuthParameters.password'");
        assertValidation(
                b -> b.name("t")
                        .authorizationType("BASIC")
                        .authParameters(a ->
                                a.basicAuthParameters(p -> p.username("ali:ce").password("pw"))),
                "at 'authParameters.basicAuthParameters.username' failed to satisfy constraint: Member must"
                        + " satisfy regular expression pattern");
        assertValidation(
                b -> b.name("t")
                        .authorizationType("API_KEY")
                        .authParameters(a ->
                                a.apiKeyAuthParameters(p -> p.apiKeyName("k").apiKeyValue("bad\nvalue"))),
                "at 'authParameters.apiKeyAuthParameters.apiKeyValue' failed to satisfy constraint");
        assertValidation(
                b -> b.name("t")
                        .authorizationType("OAUTH_CLIENT_CREDENTIALS")
                        .authParameters(a -> a.oAuthParameters(o -> o.authorizationEndpoint("ftp://example.com/x")
                                .httpMethod("DELETE")
                                .clientParameters(c -> c.clientID("id").clientSecret("secret")))),
                "at 'authParameters.oAuthParameters.httpMethod' failed to satisfy constraint");
        assertValidation(
                b -> b.name("t")
                        .authorizationType("NONE")
                        .authParameters(a -> a.invocationHttpParameters(
                                p -> p.headerParameters(h -> h.key("Bad Header").value("v")))),
                "at 'authParameters.invocationHttpParameters.headerParameters.1.member.key'");
        assertValidation(
                b -> b.name("t")
                        .authorizationType("NONE")
                        .authParameters(a -> {})
                        .kmsKeyIdentifier("alias/k"),
                "KmsKeyIdentifier is not supported");
        assertThat(events.listConnections(b -> {}).connections()).isEmpty();
    }

    @Test
    void secretsAreNotRepeatedInValidationMessages() {
        String secret = "x".repeat(513);
        assertThatThrownBy(() -> events.createConnection(b -> b.name("t")
                        .authorizationType("BASIC")
                        .authParameters(
                                a -> a.basicAuthParameters(p -> p.username("u").password(secret)))))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("authParameters.basicAuthParameters.password")
                .hasMessageNotContaining(secret);
        assertThatThrownBy(() -> events.createConnection(b -> b.name("t")
                        .authorizationType("NONE")
                        .authParameters(a -> a.invocationHttpParameters(p -> p.headerParameters(
                                h -> h.key("X-Sig").value("secret\u0001value").isValueSecret(true))))))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining(
                        "Value at 'authParameters.invocationHttpParameters.headerParameters.1.member.value'")
                .hasMessageNotContaining("secret\u0001value");
    }

    private void assertValidation(
            java.util.function.Consumer<
                            software.amazon.awssdk.services.eventbridge.model.CreateConnectionRequest.Builder>
                    request,
            String message) {
        assertThatThrownBy(() -> events.createConnection(request))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(
                                ((EventBridgeException) e).awsErrorDetails().errorCode())
                        .isEqualTo("ValidationException"));
    }
}
