package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.model.ArchiveState;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.ReplayState;
import software.amazon.awssdk.services.eventbridge.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException;
import software.amazon.awssdk.services.eventbridge.model.Target;

class ArchiveReplayTest {
    static final String BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default";
    EventsFixture f;

    @BeforeEach
    void start() {
        f = new EventsFixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void put(String source, String detail, Instant time) {
        assertThat(f.events
                        .putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                                .source(source)
                                .detailType("t")
                                .detail(detail)
                                .time(time)
                                .build()))
                        .failedEntryCount())
                .isZero();
    }

    @Test
    void archiveKeepsMatchingEventsAndReplaySendsThemToTheNamedRulesOnly() throws Exception {
        var created = f.events.createArchive(b -> b.archiveName("apps")
                .eventSourceArn(BUS)
                .eventPattern("{\"source\":[\"my.app\"]}")
                .retentionDays(30));
        assertThat(created.archiveArn()).isEqualTo("arn:aws:events:us-east-1:123456789012:archive/apps");
        assertThat(created.state()).isEqualTo(ArchiveState.ENABLED);
        assertThatThrownBy(
                        () -> f.events.createArchive(b -> b.archiveName("apps").eventSourceArn(BUS)))
                .isInstanceOf(ResourceAlreadyExistsException.class);

        // Inside the archive's 30-day retention: the events worker expires older events while the test runs.
        Instant t0 = f.clock.instant().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(1));
        put("my.app", "{\"n\":1}", t0.plusSeconds(10));
        put("my.app", "{\"n\":2}", t0.plusSeconds(20));
        put("other.app", "{\"n\":3}", t0.plusSeconds(30));
        put("my.app", "{\"n\":4}", t0.plusSeconds(7200));

        var described = f.events.describeArchive(b -> b.archiveName("apps"));
        assertThat(described.eventCount()).isEqualTo(3);
        assertThat(described.sizeBytes()).isPositive();
        assertThat(described.eventSourceArn()).isEqualTo(BUS);
        assertThat(f.events.listArchives(b -> b.namePrefix("ap")).archives()).hasSize(1);
        f.events.updateArchive(b -> b.archiveName("apps").description("apps only"));
        assertThat(f.events.describeArchive(b -> b.archiveName("apps")).description())
                .isEqualTo("apps only");

        // Rules created after the events: only a replay reaches them.
        f.events.putRule(b -> b.name("wanted").eventPattern("{\"source\":[\"my.app\"]}"));
        f.events.putTargets(b -> b.rule("wanted")
                .targets(Target.builder()
                        .id("t")
                        .arn(EventsFixture.TOPIC + "-wanted")
                        .build()));
        f.events.putRule(b -> b.name("unwanted").eventPattern("{\"source\":[\"my.app\"]}"));
        f.events.putTargets(b -> b.rule("unwanted")
                .targets(Target.builder()
                        .id("t")
                        .arn(EventsFixture.TOPIC + "-unwanted")
                        .build()));

        var started = f.events.startReplay(b -> b.replayName("first-hour")
                .eventSourceArn(created.archiveArn())
                .eventStartTime(t0)
                .eventEndTime(t0.plusSeconds(3600))
                .destination(d -> d.arn(BUS).filterArns("arn:aws:events:us-east-1:123456789012:rule/wanted")));
        assertThat(started.state()).isEqualTo(ReplayState.STARTING);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        f.events.describeReplay(b -> b.replayName("first-hour")).state() == ReplayState.COMPLETED);
        var replay = f.events.describeReplay(b -> b.replayName("first-hour"));
        assertThat(replay.eventLastReplayedTime()).isEqualTo(t0.plusSeconds(20));
        assertThat(replay.replayEndTime()).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 2);
        // A whole worker round after the replay completed, and every delivery made: nothing else is coming.
        f.server.awaitCaughtUp();
        assertThat(f.topics.received).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        for (var d : f.topics.received) {
            assertThat(d.delivery().destination()).endsWith("-wanted");
            JsonNode event = json.readTree(d.delivery().payload());
            assertThat(event.path("replay-name").asText()).isEqualTo("first-hour");
        }
        assertThat(f.events.listReplays(b -> b.state(ReplayState.COMPLETED)).replays())
                .extracting(r -> r.replayName())
                .containsExactly("first-hour");
        assertThatThrownBy(() -> f.events.cancelReplay(b -> b.replayName("first-hour")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("cannot be cancelled");
        // Replayed events are not archived again.
        assertThat(f.events.describeArchive(b -> b.archiveName("apps")).eventCount())
                .isEqualTo(3);

        f.events.deleteArchive(b -> b.archiveName("apps"));
        assertThatThrownBy(() -> f.events.describeArchive(b -> b.archiveName("apps")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void archivedEventsExpireAfterTheirRetention() {
        f.events.createArchive(b -> b.archiveName("short").eventSourceArn(BUS).retentionDays(1));
        f.events.createArchive(b -> b.archiveName("forever").eventSourceArn(BUS));
        put("my.app", "{}", f.clock.instant());
        assertThat(f.events.describeArchive(b -> b.archiveName("short")).eventCount())
                .isEqualTo(1);
        f.clock.advance(Duration.ofDays(2));
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        f.events.describeArchive(b -> b.archiveName("short")).eventCount() == 0);
        assertThat(f.events.describeArchive(b -> b.archiveName("forever")).eventCount())
                .isEqualTo(1);
    }

    @Test
    void replayChecksItsInputs() {
        var archive = f.events.createArchive(b -> b.archiveName("all").eventSourceArn(BUS));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        assertThatThrownBy(() -> f.events.startReplay(b -> b.replayName("backwards")
                        .eventSourceArn(archive.archiveArn())
                        .eventStartTime(t0)
                        .eventEndTime(t0.minusSeconds(1))
                        .destination(d -> d.arn(BUS))))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("EventStartTime");
        f.events.createEventBus(b -> b.name("elsewhere"));
        assertThatThrownBy(() -> f.events.startReplay(b -> b.replayName("cross")
                        .eventSourceArn(archive.archiveArn())
                        .eventStartTime(t0)
                        .eventEndTime(t0.plusSeconds(1))
                        .destination(d -> d.arn("arn:aws:events:us-east-1:123456789012:event-bus/elsewhere"))))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("Cross event bus replay is not permitted.");
        assertThatThrownBy(() -> f.events.startReplay(b -> b.replayName("nothing")
                        .eventSourceArn("arn:aws:events:us-east-1:123456789012:archive/none")
                        .eventStartTime(t0)
                        .eventEndTime(t0.plusSeconds(1))
                        .destination(d -> d.arn(BUS))))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> f.events.describeReplay(b -> b.replayName("nothing")))
                .isInstanceOf(ResourceNotFoundException.class);
    }
}
