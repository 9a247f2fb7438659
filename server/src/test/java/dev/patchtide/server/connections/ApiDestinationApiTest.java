package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ApiDestination;
import software.amazon.awssdk.services.eventbridge.model.ApiDestinationHttpMethod;
import software.amazon.awssdk.services.eventbridge.model.ApiDestinationState;
import software.amazon.awssdk.services.eventbridge.model.CreateApiDestinationRequest;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException;

class ApiDestinationApiTest {
    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private EventBridgeClient events;
    private String connectionArn;

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        events = EventsClients.of(server);
        connectionArn = events.createConnection(
                        b -> b.name("hooks").authorizationType("NONE").authParameters(a -> {}))
                .connectionArn();
    }

    @AfterEach
    void stop() {
        events.close();
        server.close();
    }

    @Test
    void createDescribeUpdateDelete() {
        var created = events.createApiDestination(b -> b.name("ticket")
                .description("opens tickets")
                .connectionArn(connectionArn)
                .invocationEndpoint("https://tickets.example.com/projects/*/issues")
                .httpMethod(ApiDestinationHttpMethod.POST)
                .invocationRateLimitPerSecond(10));
        assertThat(created.apiDestinationArn())
                .matches("arn:aws:events:us-east-1:123456789012:api-destination/ticket/[0-9a-f-]{36}");
        assertThat(created.apiDestinationState()).isEqualTo(ApiDestinationState.ACTIVE);

        var described = events.describeApiDestination(b -> b.name("ticket"));
        assertThat(described.apiDestinationArn()).isEqualTo(created.apiDestinationArn());
        assertThat(described.name()).isEqualTo("ticket");
        assertThat(described.description()).isEqualTo("opens tickets");
        assertThat(described.connectionArn()).isEqualTo(connectionArn);
        assertThat(described.invocationEndpoint()).isEqualTo("https://tickets.example.com/projects/*/issues");
        assertThat(described.httpMethod()).isEqualTo(ApiDestinationHttpMethod.POST);
        assertThat(described.invocationRateLimitPerSecond()).isEqualTo(10);
        assertThat(described.creationTime()).isEqualTo(created.creationTime());

        clock.advance(Duration.ofMinutes(1));
        var updated = events.updateApiDestination(b -> b.name("ticket").httpMethod(ApiDestinationHttpMethod.PUT));
        assertThat(updated.lastModifiedTime()).isAfter(created.lastModifiedTime());
        var after = events.describeApiDestination(b -> b.name("ticket"));
        assertThat(after.httpMethod()).isEqualTo(ApiDestinationHttpMethod.PUT);
        assertThat(after.invocationEndpoint()).isEqualTo(described.invocationEndpoint());
        assertThat(after.invocationRateLimitPerSecond()).isEqualTo(10);

        events.deleteApiDestination(b -> b.name("ticket"));
        assertThatThrownBy(() -> events.describeApiDestination(b -> b.name("ticket")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("ticket");
        assertThatThrownBy(() -> events.deleteApiDestination(b -> b.name("ticket")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(
                        () -> events.updateApiDestination(b -> b.name("ticket").description("x")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void rateLimitDefaultsToEventBridges300() {
        events.createApiDestination(b -> b.name("d")
                .connectionArn(connectionArn)
                .invocationEndpoint("https://example.com/hook")
                .httpMethod("POST"));
        assertThat(events.describeApiDestination(b -> b.name("d")).invocationRateLimitPerSecond())
                .isEqualTo(300);
    }

    @Test
    void listFiltersByPrefixAndConnectionAndPages() {
        String other = events.createConnection(
                        b -> b.name("other").authorizationType("NONE").authParameters(a -> {}))
                .connectionArn();
        for (String name : new String[] {"slack-1", "slack-2", "slack-3"}) {
            events.createApiDestination(b -> b.name(name)
                    .connectionArn(connectionArn)
                    .invocationEndpoint("https://example.com/" + name)
                    .httpMethod("POST"));
        }
        events.createApiDestination(b -> b.name("teams")
                .connectionArn(other)
                .invocationEndpoint("https://example.com/teams")
                .httpMethod("POST"));

        var first = events.listApiDestinations(b -> b.namePrefix("slack").limit(2));
        assertThat(first.apiDestinations()).extracting(ApiDestination::name).containsExactly("slack-1", "slack-2");
        var second =
                events.listApiDestinations(b -> b.namePrefix("slack").limit(2).nextToken(first.nextToken()));
        assertThat(second.apiDestinations()).extracting(ApiDestination::name).containsExactly("slack-3");
        assertThat(second.nextToken()).isNull();
        var byConnection = events.listApiDestinations(b -> b.connectionArn(other));
        assertThat(byConnection.apiDestinations()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("teams");
            assertThat(d.invocationEndpoint()).isEqualTo("https://example.com/teams");
            assertThat(d.invocationRateLimitPerSecond()).isEqualTo(300);
        });
    }

    @Test
    void unknownConnectionAndDuplicateNameAreRefused() {
        String missing = connectionArn.replace("/hooks/", "/missing/");
        assertThatThrownBy(() -> events.createApiDestination(b -> b.name("d")
                        .connectionArn(missing)
                        .invocationEndpoint("https://example.com/")
                        .httpMethod("POST")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining(missing);
        events.createApiDestination(b -> b.name("d")
                .connectionArn(connectionArn)
                .invocationEndpoint("https://example.com/")
                .httpMethod("POST"));
        assertThatThrownBy(() -> events.createApiDestination(b -> b.name("d")
                        .connectionArn(connectionArn)
                        .invocationEndpoint("https://example.com/")
                        .httpMethod("POST")))
                .isInstanceOf(ResourceAlreadyExistsException.class);
        assertThatThrownBy(() -> events.updateApiDestination(b -> b.name("d").connectionArn(missing)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void invalidRequestsNameTheField() {
        assertValidation(
                b -> b.name("d").invocationEndpoint("https://example.com/").httpMethod("POST"),
                "Value null at 'connectionArn' failed to satisfy constraint: Member must not be null");
        assertValidation(
                b -> b.name("d")
                        .connectionArn("arn:aws:events:us-east-1:123456789012:rule/x")
                        .invocationEndpoint("https://example.com/")
                        .httpMethod("POST"),
                "at 'connectionArn' failed to satisfy constraint: Member must satisfy regular expression pattern");
        assertValidation(
                b -> b.name("d")
                        .connectionArn(connectionArn)
                        .invocationEndpoint("https://example.com/{id}")
                        .httpMethod("POST"),
                "at 'invocationEndpoint' failed to satisfy constraint: Member must satisfy regular expression");
        assertValidation(
                b -> b.name("d")
                        .connectionArn(connectionArn)
                        .invocationEndpoint("mailto:ops@example.com")
                        .httpMethod("POST"),
                "at 'invocationEndpoint' failed to satisfy constraint: Member must be an https://");
        assertValidation(
                b -> b.name("d")
                        .connectionArn(connectionArn)
                        .invocationEndpoint("https://example.com/")
                        .httpMethod("TRACE"),
                "at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set");
        assertValidation(
                b -> b.name("d")
                        .connectionArn(connectionArn)
                        .invocationEndpoint("https://example.com/")
                        .httpMethod("POST")
                        .invocationRateLimitPerSecond(0),
                "at 'invocationRateLimitPerSecond' failed to satisfy constraint: Member must have value greater"
                        + " than or equal to 1");
        assertThat(events.listApiDestinations(b -> {}).apiDestinations()).isEmpty();
    }

    private void assertValidation(
            java.util.function.Consumer<CreateApiDestinationRequest.Builder> request, String message) {
        assertThatThrownBy(() -> events.createApiDestination(request))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(
                                ((EventBridgeException) e).awsErrorDetails().errorCode())
                        .isEqualTo("ValidationException"));
    }
}
