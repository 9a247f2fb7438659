package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.Settled;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.model.Target;

class ScheduleRuleTest {
    EventsFixture f;

    @BeforeEach
    void start() {
        f = new EventsFixture(new MutableClock(Instant.parse("2026-03-10T09:58:30Z")));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** The events worker has looked at the clock as it is now, and what it fired has been delivered. */
    private void settle() {
        f.server.awaitCaughtUp();
    }

    @Test
    void cronRuleFiresOncePerDueTimeAndOnceAfterDowntime() throws Exception {
        f.events.putRule(b -> b.name("hourly").scheduleExpression("cron(0 * * * ? *)"));
        f.events.putTargets(b -> b.rule("hourly")
                .targets(Target.builder().id("t").arn(EventsFixture.TOPIC).build()));
        settle();
        assertThat(f.topics.received).isEmpty();

        f.clock.advance(Duration.ofMinutes(2)); // 10:00:30
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 1);
        JsonNode event =
                new ObjectMapper().readTree(f.topics.received.peek().delivery().payload());
        assertThat(event.path("source").asText()).isEqualTo("aws.events");
        assertThat(event.path("detail-type").asText()).isEqualTo("Scheduled Event");
        assertThat(event.path("time").asText()).isEqualTo("2026-03-10T10:00:00Z");
        assertThat(event.path("resources").get(0).asText())
                .isEqualTo("arn:aws:events:us-east-1:123456789012:rule/hourly");
        assertThat(event.path("detail").isObject()).isTrue();

        // Five hours of "downtime": one firing, not five.
        f.clock.advance(Duration.ofHours(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 2);
        settle();
        assertThat(f.topics.received).hasSize(2);

        f.events.disableRule(b -> b.name("hourly"));
        f.clock.advance(Duration.ofHours(2));
        settle();
        assertThat(f.topics.received).hasSize(2);
    }

    @Test
    void rateRuleFiresOnEveryPeriodExactlyOnceWithTwoNodes() throws Exception {
        PatchtideServer nodeB = PatchtideServer.start(
                new ServerConfig("127.0.0.1", 0, "us-east-1", "123456789012", PingStatusPolicy.defaults()),
                f.server.database(),
                f.clock);
        nodeB.deliveries().replace(f.topics);
        try {
            f.events.putRule(b -> b.name("every5").scheduleExpression("rate(5 minutes)"));
            f.events.putTargets(b -> b.rule("every5")
                    .targets(Target.builder().id("t").arn(EventsFixture.TOPIC).build()));
            for (int round = 1; round <= 3; round++) {
                f.clock.advance(Duration.ofMinutes(5));
                int expected = round;
                await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() >= expected);
            }
            // Both nodes looked at the last due time; neither fired it a second time.
            Settled.caughtUp(f.server.database().jdbi(), List.of(f.server.node(), nodeB));
            assertThat(f.topics.received.size()).isEqualTo(3);
        } finally {
            nodeB.close();
        }
    }
}
