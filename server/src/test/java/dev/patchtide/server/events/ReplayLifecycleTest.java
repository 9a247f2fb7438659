package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.ReplayState;

/**
 * Every transition of {@link dev.patchtide.server.events.ReplayState#LIFECYCLE}, taken through the API and
 * the replay worker over a real server; fails if a scenario that takes one of them is removed.
 */
class ReplayLifecycleTest {
    private static final String BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static Lifecycle.Recording<dev.patchtide.server.events.ReplayState> taken;

    private final MutableClock clock = MutableClock.ofNow();
    private Database database;
    private PatchtideServer server;
    private EventBridgeClient events;
    private String archiveArn;

    @BeforeAll
    static void record() {
        taken = dev.patchtide.server.events.ReplayState.LIFECYCLE.record();
    }

    @AfterAll
    static void everyTransitionWasTaken() {
        taken.close();
        assertThat(taken.missing()).as("replay transitions no scenario took").isEmpty();
    }

    @BeforeEach
    void start() {
        database = TestDatabases.connectFresh();
        server = PatchtideServer.start(
                new ServerConfig(
                        "127.0.0.1", 0, "us-east-1", ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults()),
                database,
                clock);
        var key = server.accessKeys().createAdminKey("test", clock.instant());
        events = EventBridgeClient.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + server.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
                .build();
        archiveArn = events.createArchive(b -> b.archiveName("all").eventSourceArn(BUS))
                .archiveArn();
    }

    @AfterEach
    void stop() {
        events.close();
        server.close();
        database.close();
    }

    @Test
    void workerBeginsAndCompletesAReplay() {
        put(3);
        startReplay("whole");
        await().atMost(Duration.ofSeconds(10)).until(() -> state("whole") == ReplayState.COMPLETED);
        assertThatThrownBy(() -> events.cancelReplay(b -> b.replayName("whole")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("Replay whole is COMPLETED and cannot be cancelled.")
                .satisfies(e -> assertThat(
                                ((EventBridgeException) e).awsErrorDetails().errorCode())
                        .isEqualTo("IllegalStatusException"));
    }

    @Test
    void replayCancelledBeforeItBeganIsCancelledByTheWorker() {
        Replays replays = stopWorker();
        put(1);
        startReplay("early");
        assertThat(events.cancelReplay(b -> b.replayName("early")).state()).isEqualTo(ReplayState.CANCELLING);
        assertThat(state("early")).isEqualTo(ReplayState.CANCELLING);
        assertThat(replays.step()).isTrue();
        assertThat(state("early")).isEqualTo(ReplayState.CANCELLED);
        assertThat(replays.step()).isFalse();
        assertThatThrownBy(() -> events.cancelReplay(b -> b.replayName("early")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("is CANCELLED");
    }

    @Test
    void replayCancelledWhileRunningStopsBeforeItsNextBatch() {
        Replays replays = stopWorker();
        put(150);
        startReplay("long");
        assertThat(replays.step()).isTrue();
        assertThat(state("long")).isEqualTo(ReplayState.RUNNING);
        assertThat(replays.step()).isTrue();
        var running = events.describeReplay(b -> b.replayName("long"));
        assertThat(running.state()).isEqualTo(ReplayState.RUNNING);
        assertThat(running.eventLastReplayedTime()).isEqualTo(T0.plusSeconds(100));

        events.cancelReplay(b -> b.replayName("long"));
        assertThat(replays.step()).isTrue();
        var cancelled = events.describeReplay(b -> b.replayName("long"));
        assertThat(cancelled.state()).isEqualTo(ReplayState.CANCELLED);
        assertThat(cancelled.eventLastReplayedTime()).isEqualTo(T0.plusSeconds(100));
        assertThat(cancelled.replayEndTime()).isNotNull();
    }

    @Test
    void replayWhoseArchiveWasDeletedFails() {
        Replays replays = stopWorker();
        put(1);
        startReplay("orphaned");
        assertThat(replays.step()).isTrue();
        assertThat(state("orphaned")).isEqualTo(ReplayState.RUNNING);
        events.deleteArchive(b -> b.archiveName("all"));
        assertThat(replays.step()).isTrue();
        var failed = events.describeReplay(b -> b.replayName("orphaned"));
        assertThat(failed.state()).isEqualTo(ReplayState.FAILED);
        assertThat(failed.stateReason()).isEqualTo("Archive all or its event bus no longer exists.");
    }

    /** Stops the background worker, so the test advances replays one batch at a time. */
    private Replays stopWorker() {
        server.events().worker().close();
        return server.events().replays();
    }

    /** {@code count} archived events, one a second from T0 + 1 s. */
    private void put(int count) {
        List<PutEventsRequestEntry> entries = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            entries.add(PutEventsRequestEntry.builder()
                    .source("my.app")
                    .detailType("t")
                    .detail("{\"n\":" + i + "}")
                    .time(T0.plusSeconds(i))
                    .build());
        }
        for (int from = 0; from < entries.size(); from += 10) {
            var batch = entries.subList(from, Math.min(from + 10, entries.size()));
            assertThat(events.putEvents(b -> b.entries(batch)).failedEntryCount())
                    .isZero();
        }
    }

    private void startReplay(String name) {
        var started = events.startReplay(b -> b.replayName(name)
                .eventSourceArn(archiveArn)
                .eventStartTime(T0)
                .eventEndTime(T0.plusSeconds(3600))
                .destination(d -> d.arn(BUS)));
        assertThat(started.state()).isEqualTo(ReplayState.STARTING);
    }

    private ReplayState state(String name) {
        return events.describeReplay(b -> b.replayName(name)).state();
    }
}
