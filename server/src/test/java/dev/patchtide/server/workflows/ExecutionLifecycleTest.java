package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.PendingDelivery;
import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Every transition of an execution's lifecycle, each reached by a real execution, and each announced on the bus as
 * AWS's {@code Step Functions Execution Status Change} to a rule that asked for it.
 */
class ExecutionLifecycleTest {
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:execution-events";
    private static final String ROLE = "arn:aws:iam::123456789012:role/workflows";

    private final MutableClock clock = MutableClock.ofNow();
    private final Recording targets = new Recording();
    private TestServer server;
    private SfnClient sfn;
    private EventBridgeClient events;

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        server.deliveries().replace(targets);
        sfn = SfnClients.sfn(server);
        events = EventBridgeClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
        events.putRule(b -> b.name("executions")
                .eventPattern("{\"source\":[\"aws.states\"],"
                        + "\"detail-type\":[\"Step Functions Execution Status Change\"]}"));
        events.putTargets(b ->
                b.rule("executions").targets(Target.builder().id("t").arn(TOPIC).build()));
    }

    @AfterEach
    void stop() {
        events.close();
        sfn.close();
        server.close();
    }

    @Test
    void everyTransitionIsReachedAndAnnounced() throws Exception {
        try (Lifecycle.Recording<dev.patchtide.server.workflows.ExecutionStatus> recording =
                dev.patchtide.server.workflows.ExecutionStatus.LIFECYCLE.record()) {
            String succeeds =
                    run("succeeds", "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}");
            String fails = run(
                    "fails",
                    "{\"StartAt\": \"F\", \"States\": {\"F\": {\"Type\": \"Fail\", \"Error\": \"E\", \"Cause\": \"c\"}}}");
            String slow = run(
                    "times-out",
                    "{\"TimeoutSeconds\": 60, \"StartAt\": \"W\","
                            + " \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": 600, \"End\": true}}}");
            String stopped = run(
                    "stopped",
                    "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": 600, \"End\": true}}}");
            sfn.stopExecution(b -> b.executionArn(stopped));
            clock.advance(Duration.ofSeconds(61));
            server.node().workflows().effects().wake();
            await().atMost(Duration.ofSeconds(30)).until(() -> status(slow) == ExecutionStatus.TIMED_OUT);

            assertThat(status(succeeds)).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(status(fails)).isEqualTo(ExecutionStatus.FAILED);
            assertThat(status(stopped)).isEqualTo(ExecutionStatus.ABORTED);
            assertThat(recording.missing()).isEmpty();

            await().atMost(Duration.ofSeconds(30)).until(() -> targets.events().size() == 8);
            JsonNode failed = targets.events().stream()
                    .filter(e -> e.path("detail").path("status").asText().equals("FAILED"))
                    .findFirst()
                    .orElseThrow();
            assertThat(failed.path("source").asText()).isEqualTo("aws.states");
            assertThat(failed.path("resources").get(0).asText()).isEqualTo(fails);
            JsonNode detail = failed.path("detail");
            assertThat(detail.path("executionArn").asText()).isEqualTo(fails);
            assertThat(detail.path("error").asText()).isEqualTo("E");
            assertThat(detail.path("cause").asText()).isEqualTo("c");
            assertThat(detail.path("startDate").isIntegralNumber()).isTrue();
            assertThat(detail.path("stopDate").isIntegralNumber()).isTrue();
            assertThat(targets.events().stream()
                            .filter(e ->
                                    e.path("detail").path("status").asText().equals("RUNNING")))
                    .hasSize(4);
        }
    }

    private String run(String name, String definition) {
        String machine = sfn.createStateMachine(
                        b -> b.name(name).definition(definition).roleArn(ROLE))
                .stateMachineArn();
        return sfn.startExecution(b -> b.stateMachineArn(machine)).executionArn();
    }

    private ExecutionStatus status(String execution) {
        return sfn.describeExecution(b -> b.executionArn(execution)).status();
    }

    /** Stands for the rule's topic target: records each event delivered to it. */
    private static final class Recording implements Deliverer {
        final ConcurrentLinkedQueue<PendingDelivery> received = new ConcurrentLinkedQueue<>();

        @Override
        public String kind() {
            return "sns-topic";
        }

        @Override
        public void deliver(PendingDelivery delivery) {
            received.add(delivery);
        }

        List<JsonNode> events() {
            return received.stream()
                    .map(d -> {
                        try {
                            return ApiJson.documents().readTree(d.delivery().payload());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }
}
