package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.delivery.PendingDelivery;
import dev.patchtide.server.fleet.PingStatusPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.HttpParameters;
import software.amazon.awssdk.services.eventbridge.model.InputTransformer;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.Target;

class EventRoutingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String API_DESTINATION =
            "arn:aws:events:us-east-1:123456789012:api-destination/tickets/0d8e5d8e-1111-2222-3333-444455556666";
    EventsFixture f;

    @BeforeEach
    void start() {
        f = new EventsFixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private String put(String source, String detailType, String detail) {
        var response = f.events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .source(source)
                .detailType(detailType)
                .detail(detail)
                .resources("arn:aws:ssm:us-east-1:123456789012:managed-instance/mi-0123456789abcdef0")
                .build()));
        assertThat(response.failedEntryCount()).isZero();
        return response.entries().getFirst().eventId();
    }

    @Test
    void matchingEventsBecomeOneDeliveryPerTargetWithTheRightKindDestinationAndPayload() throws Exception {
        f.events.putRule(b -> b.name("orders")
                .eventPattern("{\"source\":[\"my.shop\"],\"detail\":{\"total\":[{\"numeric\":[\">\",100]}]}}"));
        f.events.putTargets(b -> b.rule("orders")
                .targets(
                        Target.builder().id("topic").arn(EventsFixture.TOPIC).build(),
                        Target.builder()
                                .id("tickets")
                                .arn(API_DESTINATION)
                                .httpParameters(HttpParameters.builder()
                                        .headerParameters(Map.of("X-Team", "ops"))
                                        .build())
                                .retryPolicy(r -> r.maximumRetryAttempts(3).maximumEventAgeInSeconds(600))
                                .build()));

        String matched = put("my.shop", "Order Placed", "{\"total\":250}");
        put("my.shop", "Order Placed", "{\"total\":5}");
        put("other", "Order Placed", "{\"total\":500}");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> f.topics.received.size() == 1 && f.apiDestinations.received.size() == 1);
        PendingDelivery topic = f.topics.received.peek();
        assertThat(topic.delivery().destination()).isEqualTo(EventsFixture.TOPIC);
        assertThat(topic.delivery().source()).isEqualTo("arn:aws:events:us-east-1:123456789012:rule/orders");
        JsonNode event = JSON.readTree(topic.delivery().payload());
        assertThat(event.path("id").asText()).isEqualTo(matched);
        assertThat(event.path("detail").path("total").asInt()).isEqualTo(250);

        PendingDelivery ticket = f.apiDestinations.received.peek();
        assertThat(ticket.delivery().destination()).isEqualTo(API_DESTINATION);
        assertThat(JSON.readTree(ticket.delivery().attributes().get("HttpParameters"))
                        .path("HeaderParameters")
                        .path("X-Team")
                        .asText())
                .isEqualTo("ops");
        assertThat(ticket.delivery().retryPolicy().maximumRetryAttempts()).isEqualTo(3);
        assertThat(ticket.delivery().retryPolicy().maximumEventAge()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void inputInputPathAndTransformerShapeThePayload() throws Exception {
        f.events.putRule(b -> b.name("shape").eventPattern("{\"source\":[\"my.app\"]}"));
        f.events.putTargets(b -> b.rule("shape")
                .targets(
                        Target.builder()
                                .id("constant")
                                .arn(EventsFixture.TOPIC + "-1")
                                .input("{\"fixed\":true}")
                                .build(),
                        Target.builder()
                                .id("path")
                                .arn(EventsFixture.TOPIC + "-2")
                                .inputPath("$.detail.host")
                                .build(),
                        Target.builder()
                                .id("json")
                                .arn(EventsFixture.TOPIC + "-3")
                                .inputTransformer(InputTransformer.builder()
                                        .inputPathsMap(Map.of("name", "$.detail.host.name", "count", "$.detail.count"))
                                        .inputTemplate(
                                                "{\"text\": \"<name> has <count> missing\", \"n\": <count>, \"host\": <name>,"
                                                        + " \"rule\": \"<aws.events.rule-name>\"}")
                                        .build())
                                .build(),
                        Target.builder()
                                .id("text")
                                .arn(EventsFixture.TOPIC + "-4")
                                .inputTransformer(InputTransformer.builder()
                                        .inputPathsMap(Map.of("name", "$.detail.host.name"))
                                        .inputTemplate("\"Host <name> says \\\"hi\\\"\"")
                                        .build())
                                .build()));
        put("my.app", "Report", "{\"host\":{\"name\":\"web \\\"1\\\"\"},\"count\":3}");

        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 4);
        Map<String, String> byTopic = new java.util.HashMap<>();
        f.topics.received.forEach(d -> byTopic.put(
                d.delivery().destination().substring(EventsFixture.TOPIC.length()),
                d.delivery().payload()));
        assertThat(byTopic.get("-1")).isEqualTo("{\"fixed\":true}");
        assertThat(JSON.readTree(byTopic.get("-2")).path("name").asText()).isEqualTo("web \"1\"");
        JsonNode shaped = JSON.readTree(byTopic.get("-3"));
        assertThat(shaped.path("text").asText()).isEqualTo("web \"1\" has 3 missing");
        assertThat(shaped.path("n").asInt()).isEqualTo(3);
        assertThat(shaped.path("host").asText()).isEqualTo("web \"1\"");
        assertThat(shaped.path("rule").asText()).isEqualTo("shape");
        assertThat(byTopic.get("-4")).isEqualTo("\"Host web \\\"1\\\" says \\\"hi\\\"\"");
    }

    @Test
    void disabledRulesAndOtherBusesDoNotMatch() {
        f.events.putRule(
                b -> b.name("off").eventPattern("{\"source\":[\"my.app\"]}").state("DISABLED"));
        f.events.putTargets(b -> b.rule("off")
                .targets(Target.builder().id("t").arn(EventsFixture.TOPIC).build()));
        f.events.createEventBus(b -> b.name("side"));
        f.events.putRule(b -> b.name("side-rule").eventBusName("side").eventPattern("{\"source\":[\"my.app\"]}"));
        f.events.putTargets(b -> b.rule("side-rule")
                .eventBusName("side")
                .targets(Target.builder()
                        .id("t")
                        .arn(EventsFixture.TOPIC + "-side")
                        .build()));
        put("my.app", "x", "{}");
        f.events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .source("my.app")
                .detailType("x")
                .detail("{}")
                .eventBusName("arn:aws:events:us-east-1:123456789012:event-bus/side")
                .build()));
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 1);
        assertThat(f.topics.received.peek().delivery().destination()).isEqualTo(EventsFixture.TOPIC + "-side");
        f.events.enableRule(b -> b.name("off"));
        put("my.app", "x", "{}");
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 2);
    }

    @Test
    void aRuleAddedOnAnotherNodeIsSeenAtOnce() {
        // Node A compiles the default bus's rules (none match yet).
        put("my.app", "x", "{}");
        PatchtideServer nodeB = PatchtideServer.start(
                new ServerConfig("127.0.0.1", 0, "us-east-1", "123456789012", PingStatusPolicy.defaults()),
                f.server.database(),
                f.clock);
        var key = nodeB.accessKeys().createAdminKey("node-b", f.clock.instant());
        try (EventBridgeClient b = EventBridgeClient.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + nodeB.port()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                                key.accessKeyId(), key.secretAccessKey())))
                .build()) {
            b.putRule(r -> r.name("late").eventPattern("{\"source\":[\"my.app\"]}"));
            b.putTargets(r -> r.rule("late")
                    .targets(Target.builder().id("t").arn(EventsFixture.TOPIC).build()));
        } finally {
            nodeB.close();
        }
        put("my.app", "x", "{}");
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 1);
    }
}
