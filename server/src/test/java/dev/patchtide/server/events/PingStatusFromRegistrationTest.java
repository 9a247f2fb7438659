package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InstanceInformationStringFilter;

/**
 * A registered instance is Online from its registration until it misses the heartbeats (1 s x 2 here),
 * report or not, in DescribeInstanceInformation, its PingStatus filter and the dashboard's listing; the
 * ping-status events of a reporting instance still come once per transition.
 */
class PingStatusFromRegistrationTest {
    private static final String LOST = "Online->ConnectionLost";
    private static final String BACK = "ConnectionLost->Online";

    private EventsFixture f;

    @BeforeEach
    void start() {
        MutableClock clock = MutableClock.ofNow();
        f = new EventsFixture(clock, TestServer.start(clock, TestServer.fastHeartbeats()));
        f.events.putRule(
                b -> b.name("pings").eventPattern("{\"detail-type\":[\"" + PingStatusWatcher.DETAIL_TYPE + "\"]}"));
        f.events.putTargets(b -> b.rule("pings")
                .targets(Target.builder().id("t").arn(EventsFixture.TOPIC).build()));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private String pingStatus(FakeAgent agent) {
        List<InstanceInformation> found = f.server
                .ssm()
                .describeInstanceInformation(b -> b.filters(InstanceInformationStringFilter.builder()
                        .key("InstanceIds")
                        .values(agent.instanceId())
                        .build()))
                .instanceInformationList();
        assertThat(found).hasSize(1);
        return found.getFirst().pingStatusAsString();
    }

    private List<String> withPingStatus(String status) {
        return f
                .server
                .ssm()
                .describeInstanceInformation(b -> b.filters(InstanceInformationStringFilter.builder()
                        .key("PingStatus")
                        .values(status)
                        .build()))
                .instanceInformationList()
                .stream()
                .map(InstanceInformation::instanceId)
                .sorted()
                .toList();
    }

    private String dashboardPingStatus(FakeAgent agent) throws Exception {
        JsonNode listed = f.server
                .adminClient()
                .call(
                        "Patchtide.ListInstanceCompliance",
                        Map.of(
                                "Filters",
                                List.of(Map.of("Key", "InstanceIds", "Values", List.of(agent.instanceId())))));
        return listed.path("Instances").get(0).path("PingStatus").asText();
    }

    /** The transitions announced for {@code agent}, oldest first. */
    private List<String> announced(FakeAgent agent) {
        return f.topics.payloads().stream()
                .map(PingStatusFromRegistrationTest::json)
                .filter(e -> e.path("detail-type").asText().equals(PingStatusWatcher.DETAIL_TYPE))
                .filter(e -> e.path("detail").path("instance-id").asText().equals(agent.instanceId()))
                .map(e -> e.path("detail").path("previous-ping-status").asText() + "->"
                        + e.path("detail").path("ping-status").asText())
                .toList();
    }

    private static JsonNode json(String payload) {
        try {
            return ApiJson.documents().readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void onlineFromRegistrationUntilTheHeartbeatsAreMissed() throws Exception {
        var activation = f.server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(2));
        FakeAgent silent =
                FakeAgent.register(f.server.endpoint(), activation.activationId(), activation.activationCode());
        FakeAgent reporting =
                FakeAgent.register(f.server.endpoint(), activation.activationId(), activation.activationCode());
        reporting.report("web-02", "10.0.0.2");
        List<String> both = List.of(silent.instanceId(), reporting.instanceId()).stream()
                .sorted()
                .toList();

        // Just registered, no report yet: Online, as AWS shows a new managed instance.
        assertThat(pingStatus(silent)).isEqualTo("Online");
        assertThat(f.server
                        .ssm()
                        .describeInstanceInformation(b -> b.filters(InstanceInformationStringFilter.builder()
                                .key("InstanceIds")
                                .values(silent.instanceId())
                                .build()))
                        .instanceInformationList()
                        .getFirst()
                        .lastPingDateTime())
                .as("no report, so no ping time")
                .isNull();
        assertThat(withPingStatus("Online")).isEqualTo(both);
        assertThat(withPingStatus("ConnectionLost")).isEmpty();
        assertThat(dashboardPingStatus(silent)).isEqualTo("Online");

        f.clock.advance(Duration.ofMillis(1500)); // within 2 x 1 s of registration
        assertThat(pingStatus(silent)).isEqualTo("Online");
        assertThat(dashboardPingStatus(silent)).isEqualTo("Online");

        f.clock.advance(Duration.ofMillis(1000)); // 2.5 s: both missed their heartbeats
        assertThat(pingStatus(silent)).isEqualTo("ConnectionLost");
        assertThat(pingStatus(reporting)).isEqualTo("ConnectionLost");
        assertThat(withPingStatus("ConnectionLost")).isEqualTo(both);
        assertThat(withPingStatus("Online")).isEmpty();
        assertThat(dashboardPingStatus(silent)).isEqualTo("ConnectionLost");

        await().atMost(Duration.ofSeconds(5)).until(() -> announced(reporting).size() == 1);
        reporting.report("web-02", "10.0.0.2");
        assertThat(pingStatus(reporting)).isEqualTo("Online");
        assertThat(pingStatus(silent)).isEqualTo("ConnectionLost");
        await().atMost(Duration.ofSeconds(5)).until(() -> announced(reporting).size() == 2);
        assertThat(announced(reporting)).containsExactly(LOST, BACK);
    }
}
