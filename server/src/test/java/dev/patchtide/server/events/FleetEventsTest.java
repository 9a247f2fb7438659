package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.compliance.ComplianceEvents;
import dev.patchtide.server.compliance.ComplianceEvents.ComplianceStateChange;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;

class FleetEventsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    EventsFixture f;

    @BeforeEach
    void start() {
        MutableClock clock = MutableClock.ofNow();
        f = new EventsFixture(clock, TestServer.start(clock, TestServer.fastHeartbeats()));
        f.events.putRule(b -> b.name("fleet").eventPattern("{\"source\":[\"aws.ssm\",\"aws.tag\"]}"));
        f.events.putTargets(b -> b.rule("fleet")
                .targets(Target.builder().id("t").arn(EventsFixture.TOPIC).build()));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private List<JsonNode> events(String detailType) {
        return f.topics.payloads().stream()
                .map(p -> {
                    try {
                        return JSON.readTree(p);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .filter(e -> e.path("detail-type").asText().equals(detailType))
                .toList();
    }

    private Callable<Boolean> count(String detailType, int n) {
        return () -> events(detailType).size() == n;
    }

    @Test
    void registrationTagsPingStatusAndDeregistrationBecomeEvents() throws Exception {
        var activation = f.server.ssm().createActivation(b -> b.iamRole("r").defaultInstanceName("web-01"));
        FakeAgent agent =
                FakeAgent.register(f.server.endpoint(), activation.activationId(), activation.activationCode());
        await().atMost(Duration.ofSeconds(5)).until(count(FleetEvents.REGISTRATION, 1));
        JsonNode registered = events(FleetEvents.REGISTRATION).getFirst();
        assertThat(registered.path("source").asText()).isEqualTo("aws.ssm");
        assertThat(registered.path("detail").path("instance-id").asText()).isEqualTo(agent.instanceId());
        assertThat(registered.path("detail").path("state").asText()).isEqualTo("registered");
        assertThat(registered.path("detail").path("name").asText()).isEqualTo("web-01");
        assertThat(registered.path("resources").get(0).asText())
                .isEqualTo("arn:aws:ssm:us-east-1:123456789012:managed-instance/" + agent.instanceId());

        f.server.ssm().addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tags(
                        software.amazon.awssdk.services.ssm.model.Tag.builder()
                                .key("Patch Group")
                                .value("web")
                                .build(),
                        software.amazon.awssdk.services.ssm.model.Tag.builder()
                                .key("env")
                                .value("prod")
                                .build()));
        f.server.ssm().removeTagsFromResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tagKeys("env", "never-there"));
        await().atMost(Duration.ofSeconds(5)).until(count(FleetEvents.TAG_CHANGE, 2));
        List<JsonNode> tagEvents = events(FleetEvents.TAG_CHANGE).stream()
                .sorted((a, b) -> Integer.compare(
                        a.path("detail").path("tags").size(),
                        b.path("detail").path("tags").size()))
                .toList();
        JsonNode added = tagEvents.get(1);
        assertThat(added.path("source").asText()).isEqualTo("aws.tag");
        assertThat(added.path("detail").path("changed-tag-keys").toString()).isEqualTo("[\"Patch Group\",\"env\"]");
        assertThat(added.path("detail").path("tags").path("env").asText()).isEqualTo("prod");
        assertThat(added.path("detail").path("service").asText()).isEqualTo("ssm");
        assertThat(added.path("detail").path("resource-type").asText()).isEqualTo("managed-instance");
        JsonNode removed = tagEvents.get(0);
        assertThat(removed.path("detail").path("changed-tag-keys").toString()).isEqualTo("[\"env\"]");
        assertThat(removed.path("detail").path("tags").toString()).isEqualTo("{\"Patch Group\":\"web\"}");

        // First report: the watcher starts watching (Online), no event.
        agent.report("web-01", "10.0.0.5");
        f.server.awaitCaughtUp();
        assertThat(events(PingStatusWatcher.DETAIL_TYPE)).isEmpty();

        // Past the heartbeat window (2 x 1 s): ConnectionLost, announced once.
        f.clock.advance(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).until(count(PingStatusWatcher.DETAIL_TYPE, 1));
        f.server.awaitCaughtUp();
        assertThat(events(PingStatusWatcher.DETAIL_TYPE)).hasSize(1);
        JsonNode lost = events(PingStatusWatcher.DETAIL_TYPE).getFirst();
        assertThat(lost.path("detail").path("ping-status").asText()).isEqualTo("ConnectionLost");
        assertThat(lost.path("detail").path("previous-ping-status").asText()).isEqualTo("Online");
        assertThat(lost.path("detail").path("instance-id").asText()).isEqualTo(agent.instanceId());

        agent.report("web-01", "10.0.0.5");
        await().atMost(Duration.ofSeconds(5)).until(count(PingStatusWatcher.DETAIL_TYPE, 2));
        assertThat(events(PingStatusWatcher.DETAIL_TYPE)
                        .get(1)
                        .path("detail")
                        .path("ping-status")
                        .asText())
                .isIn("Online");

        f.server.ssm().deregisterManagedInstance(b -> b.instanceId(agent.instanceId()));
        await().atMost(Duration.ofSeconds(5)).until(count(FleetEvents.REGISTRATION, 2));
        assertThat(events(FleetEvents.REGISTRATION).stream()
                        .map(e -> e.path("detail").path("state").asText()))
                .containsExactlyInAnyOrder("registered", "deregistered");
    }

    @Test
    void complianceStateChangeIsShapedAsAwsAndMatchesSeedOnesRule() throws Exception {
        // A second EventsApi on the same database stands for the patching feature's listener.
        EventsApi events = new EventsApi(
                f.server.database().jdbi(),
                ApiJson.mapper(),
                f.server.deliveries().outbox(),
                "us-east-1",
                "123456789012",
                TestServer.fastHeartbeats(),
                f.clock);
        ComplianceEvents compliance = new ComplianceEvents(events.publisher());
        var change = new ComplianceStateChange("mi-0123456789abcdef0", "NON_COMPLIANT", "pb-0be1ccde3be43f5", null);
        JsonNode built = compliance.event(change).toJson();
        assertThat(built.path("source").asText()).isEqualTo("aws.ssm");
        assertThat(built.path("detail-type").asText()).isEqualTo("Configuration Compliance State Change");
        assertThat(built.path("resources").get(0).asText())
                .isEqualTo("arn:aws:ssm:us-east-1:123456789012:managed-instance/mi-0123456789abcdef0");
        JsonNode detail = built.path("detail");
        assertThat(detail.path("resource-id").asText()).isEqualTo("mi-0123456789abcdef0");
        assertThat(detail.path("resource-type").asText()).isEqualTo("managed-instance");
        assertThat(detail.path("compliance-status").asText()).isEqualTo("non_compliant");
        assertThat(detail.path("compliance-type").asText()).isEqualTo("Patch");
        assertThat(detail.path("patch-baseline-id").asText()).isEqualTo("pb-0be1ccde3be43f5");
        assertThat(detail.path("severity").asText()).isEqualTo("UNSPECIFIED");

        f.events.putRule(b -> b.name("seed-001")
                .eventPattern("{\"source\":[\"aws.ssm\"],\"detail-type\":[\"Configuration Compliance State Change\"],"
                        + "\"detail\":{\"compliance-status\":[\"non_compliant\"]}}"));
        f.events.putTargets(b -> b.rule("seed-001")
                .targets(Target.builder()
                        .id("t")
                        .arn(EventsFixture.TOPIC + "-approvals")
                        .build()));
        f.server.database().jdbi().useTransaction(h -> compliance.publish(h, change));
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.stream()
                .anyMatch(d -> d.delivery().destination().endsWith("-approvals")));
    }
}
