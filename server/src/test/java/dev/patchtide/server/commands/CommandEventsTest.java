package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.PendingDelivery;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Target;

/**
 * The two Run Command events, published in the caller's transaction on a real server, reach a rule's target
 * with AWS's names and detail shapes; a rule on {@code detail.status} picks the ones it wants.
 */
class CommandEventsTest {
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:command-events";
    private static final String INSTANCE_A = "mi-0123456789abcdef0";
    private static final String INSTANCE_B = "mi-0fedcba9876543210";
    private static final String COMMAND = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    private MutableClock clock;
    private TestServer server;
    private EventBridgeClient events;
    private final Recording targets = new Recording();
    private CommandEvents listener;

    @BeforeEach
    void start() {
        clock = MutableClock.ofNow();
        server = TestServer.start(clock);
        server.deliveries().replace(targets);
        events = EventBridgeClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
        // Seed 002's rule: finished badly or well, per command and per instance.
        events.putRule(b -> b.name("command-outcomes")
                .eventPattern("{\"source\":[\"aws.ssm\"],\"detail-type\":[\"EC2 Command Status-change Notification\","
                        + "\"EC2 Command Invocation Status-change Notification\"],"
                        + "\"detail\":{\"status\":[\"Success\",\"Failed\"]}}"));
        events.putTargets(b -> b.rule("command-outcomes")
                .targets(Target.builder().id("t").arn(TOPIC).build()));
        listener = new CommandEvents(server.node().events().publisher());
    }

    @AfterEach
    void stop() {
        events.close();
        server.close();
    }

    @Test
    void commandAndInvocationChangesBecomeAwsShapedEventsOnTheRule() {
        Instant at = clock.instant();
        server.database().jdbi().useTransaction(h -> {
            listener.commandChanged(
                    h,
                    Changes.command(
                            COMMAND,
                            "AWS-RunPatchBaseline",
                            "InProgress",
                            List.of(INSTANCE_A, INSTANCE_B),
                            Optional.empty(),
                            at));
            listener.invocationChanged(
                    h, Changes.invocation(COMMAND, INSTANCE_A, "AWS-RunPatchBaseline", "Failed", Optional.empty(), at));
        });
        server.database()
                .jdbi()
                .useTransaction(h -> listener.commandChanged(
                        h,
                        Changes.command(
                                COMMAND,
                                "AWS-RunPatchBaseline",
                                "Failed",
                                List.of(INSTANCE_A, INSTANCE_B),
                                Optional.empty(),
                                at.plusSeconds(5))));

        await().atMost(Duration.ofSeconds(20)).until(() -> targets.events().size() == 2);
        server.awaitCaughtUp();
        // InProgress was published (and stored) but the rule only wants outcomes.
        assertThat(storedDetailTypes()).hasSize(3);
        assertThat(targets.events()).hasSize(2);

        JsonNode invocation = targets.withType(CommandEvents.INVOCATION_CHANGE);
        assertThat(invocation.path("version").asText()).isEqualTo("0");
        assertThat(invocation.path("source").asText()).isEqualTo("aws.ssm");
        assertThat(invocation.path("account").asText()).isEqualTo("123456789012");
        assertThat(invocation.path("region").asText()).isEqualTo("us-east-1");
        assertThat(invocation.path("resources").toString())
                .isEqualTo("[\"arn:aws:ssm:us-east-1:123456789012:managed-instance/" + INSTANCE_A + "\"]");
        JsonNode detail = invocation.path("detail");
        assertThat(fields(detail))
                .containsExactly("command-id", "document-name", "instance-id", "requested-date-time", "status");
        assertThat(detail.path("command-id").asText()).isEqualTo(COMMAND);
        assertThat(detail.path("document-name").asText()).isEqualTo("AWS-RunPatchBaseline");
        assertThat(detail.path("instance-id").asText()).isEqualTo(INSTANCE_A);
        assertThat(detail.path("requested-date-time").asText()).isEqualTo("2026-12-02T08:00:00.120Z");
        assertThat(detail.path("status").asText()).isEqualTo("Failed");

        JsonNode command = targets.withType(CommandEvents.COMMAND_CHANGE);
        assertThat(command.path("source").asText()).isEqualTo("aws.ssm");
        assertThat(command.path("time").asText())
                .isEqualTo(at.plusSeconds(5)
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString());
        assertThat(command.path("resources").toString())
                .isEqualTo("[\"arn:aws:ssm:us-east-1:123456789012:managed-instance/" + INSTANCE_A + "\","
                        + "\"arn:aws:ssm:us-east-1:123456789012:managed-instance/" + INSTANCE_B + "\"]");
        detail = command.path("detail");
        assertThat(fields(detail))
                .containsExactly(
                        "command-id", "document-name", "expire-after", "parameters", "requested-date-time", "status");
        assertThat(detail.path("expire-after").asText()).isEqualTo("2026-12-02T09:00:00.120Z");
        assertThat(detail.path("parameters").path("Operation").toString()).isEqualTo("[\"Install\"]");
        assertThat(detail.path("parameters").path("RebootOption").toString()).isEqualTo("[\"NoReboot\"]");
        assertThat(detail.path("status").asText()).isEqualTo("Failed");
    }

    @Test
    void changesOfManyInstancesAtOnceAreStoredAndRoutedEachWithItsOwnInstance() {
        Instant at = clock.instant();
        List<String> instances = List.of(INSTANCE_A, INSTANCE_B);
        // Alike but for the instance: published from one template (AlikeEvents), each event its own.
        server.database()
                .jdbi()
                .useTransaction(h -> listener.invocationsChanged(
                        h,
                        instances.stream()
                                .map(i -> Changes.invocation(
                                        COMMAND, i, "AWS-RunShellScript", "Success", Optional.empty(), at))
                                .toList()));

        await().atMost(Duration.ofSeconds(20)).until(() -> targets.events().size() == 2);
        assertThat(targets.events())
                .extracting(e -> e.path("detail").path("instance-id").asText())
                .containsExactlyInAnyOrderElementsOf(instances);
        for (JsonNode event : targets.events()) {
            String instance = event.path("detail").path("instance-id").asText();
            assertThat(event.path("resources").toString())
                    .isEqualTo("[\"arn:aws:ssm:us-east-1:123456789012:managed-instance/" + instance + "\"]");
            assertThat(event.path("detail").path("status").asText()).isEqualTo("Success");
            assertThat(event.path("time").asText())
                    .isEqualTo(at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                            .toString());
        }
        assertThat(targets.events()).extracting(e -> e.path("id").asText()).doesNotHaveDuplicates();
        assertThat(storedDetailTypes())
                .containsExactly(CommandEvents.INVOCATION_CHANGE, CommandEvents.INVOCATION_CHANGE);
    }

    @Test
    void nothingIsPublishedWhenTheChangingTransactionRollsBack() {
        assertThatThrownBy(() -> server.database().jdbi().useTransaction(h -> {
                    listener.invocationChanged(
                            h,
                            Changes.invocation(
                                    COMMAND,
                                    INSTANCE_A,
                                    "AWS-RunShellScript",
                                    "Success",
                                    Optional.empty(),
                                    clock.instant()));
                    throw new IllegalStateException("the command's own update failed");
                }))
                .isInstanceOf(IllegalStateException.class);
        // The publish ran in that transaction, so neither the event nor its delivery survived the rollback.
        assertThat(storedDetailTypes()).isEmpty();
        int outbox = server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox")
                .mapTo(Integer.class)
                .one());
        assertThat(outbox).isZero();
    }

    private List<String> storedDetailTypes() {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT CAST(envelope AS jsonb) ->> 'detail-type' FROM events")
                .mapTo(String.class)
                .list());
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
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

        JsonNode withType(String detailType) {
            return events().stream()
                    .filter(e -> e.path("detail-type").asText().equals(detailType))
                    .findFirst()
                    .orElseThrow();
        }
    }
}
