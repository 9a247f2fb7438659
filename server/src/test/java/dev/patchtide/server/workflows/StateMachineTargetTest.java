package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.delivery.Delivery;
import dev.patchtide.server.delivery.PendingDelivery;
import dev.patchtide.server.delivery.RetryPolicy;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/** Rules whose target is a state machine: delivered through the outbox by starting an execution. */
class StateMachineTargetTest {
    static final String ROLE = "arn:aws:iam::123456789012:role/events-to-states";
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static SfnClient sfn;
    static EventBridgeClient events;

    @BeforeAll
    static void start() {
        server = TestServer.start(clock);
        sfn = SfnClients.sfn(server);
        events = EventBridgeClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
    }

    @AfterAll
    static void stop() {
        events.close();
        sfn.close();
        server.close();
    }

    static String machine(String name, String definition) {
        return sfn.createStateMachine(b -> b.name(name).definition(definition).roleArn(ROLE))
                .stateMachineArn();
    }

    static List<ExecutionListItem> executions(String machineArn) {
        return sfn.listExecutions(b -> b.stateMachineArn(machineArn)).executions();
    }

    @Test
    void matchingEventStartsAnExecutionWithTheRenderedInput() throws Exception {
        String arn = machine(
                "on-order",
                """
                {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}}
                """);
        events.putRule(b -> b.name("orders-to-machine").eventPattern("{\"source\":[\"shop.orders\"]}"));
        events.putTargets(b -> b.rule("orders-to-machine")
                .targets(Target.builder()
                        .id("machine")
                        .arn(arn)
                        .roleArn(ROLE)
                        .inputPath("$.detail")
                        .build()));
        events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .source("shop.orders")
                .detailType("Order Placed")
                .detail("{\"order\": 7, \"host\": \"web-1\"}")
                .build()));

        await().atMost(Duration.ofSeconds(20)).until(() -> executions(arn).size() == 1);
        String execution = executions(arn).get(0).executionArn();
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(execution)).status() == ExecutionStatus.SUCCEEDED);
        DescribeExecutionResponse done = sfn.describeExecution(b -> b.executionArn(execution));
        JsonNode output = ApiJson.documents().readTree(done.output());
        assertThat(output.path("order").asInt()).isEqualTo(7);
        assertThat(output.path("host").asText()).isEqualTo("web-1");
        assertThat(done.name()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void retriedDeliveryStartsNoSecondExecution() throws Exception {
        String arn = machine(
                "held",
                """
                {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": true}}}
                """);
        var deliverer = server.node().workflows().deliverer();
        Delivery delivery = new Delivery("state-machine", arn, "{\"k\": 1}", Map.of(), "test", RetryPolicy.DEFAULT);
        PendingDelivery first = new PendingDelivery(900_001, 1, clock.instant(), delivery);
        deliverer.deliver(first);
        // The worker crashed before deleting the row: the same delivery comes again, while the execution runs.
        deliverer.deliver(new PendingDelivery(first.id(), 2, first.createdAt(), delivery));
        assertThat(executions(arn)).hasSize(1);
        String execution = executions(arn).get(0).executionArn();

        clock.advance(Duration.ofSeconds(61));
        server.node().workflows().effects().wake();
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(execution)).status() == ExecutionStatus.SUCCEEDED);
        // ... and once more after the execution ended: still delivered, still one execution.
        deliverer.deliver(new PendingDelivery(first.id(), 3, first.createdAt(), delivery));
        assertThat(executions(arn)).extracting(ExecutionListItem::executionArn).containsExactly(execution);

        deliverer.deliver(new PendingDelivery(900_002, 1, clock.instant(), delivery));
        assertThat(executions(arn)).as("another delivery is another execution").hasSize(2);
    }

    @Test
    void missingStateMachineIsDeadLettered() throws Exception {
        String missing = machine(
                        "exists",
                        """
                        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}
                        """)
                .replace(":stateMachine:exists", ":stateMachine:never-created");
        events.putRule(b -> b.name("to-nowhere").eventPattern("{\"source\":[\"shop.lost\"]}"));
        events.putTargets(b -> b.rule("to-nowhere")
                .targets(Target.builder().id("gone").arn(missing).roleArn(ROLE).build()));
        events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .source("shop.lost")
                .detailType("Lost")
                .detail("{}")
                .build()));

        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(missing).size() == 1);
        JsonNode letter = deadLetters(missing).get(0);
        assertThat(letter.path("DestinationKind").asText()).isEqualTo("state-machine");
        assertThat(letter.path("Reason").asText()).startsWith("StateMachineDoesNotExist");
        assertThat(letter.path("Attempts").asInt()).isEqualTo(1);
    }

    static List<JsonNode> deadLetters(String destination) throws Exception {
        JsonNode all =
                server.adminClient().call("Patchtide.ListDeadLetters", Map.of()).path("DeadLetters");
        return StreamSupport.stream(all.spliterator(), false)
                .filter(l -> l.path("Destination").asText().equals(destination))
                .toList();
    }
}
