package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.PatchComplianceData;

/** Inventories nobody refers to are deleted; those in use, or about to be, are not. */
class InventorySweeperTest {
    final MutableClock clock = MutableClock.ofNow();
    /** An ingest of this instance stops inside its transaction until {@link #releaseIngest} opens. */
    final AtomicReference<String> holdIngestOf = new AtomicReference<>("");

    /** Each racer on a thread of its own (the common pool may have a single thread on a small machine). */
    final ExecutorService threads = Executors.newCachedThreadPool();

    final CountDownLatch ingestHolds = new CountDownLatch(1);
    final CountDownLatch releaseIngest = new CountDownLatch(1);
    TestServer server;
    SsmClient ssm;
    FakeAgent gone;
    FakeAgent live;
    FakeAgent fresh;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock, (handle, change) -> {
            if (change.instanceId().equals(holdIngestOf.get())) {
                ingestHolds.countDown();
                hold(releaseIngest);
            }
        });
        ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("r").registrationLimit(5));
        gone = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        live = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        fresh = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        releaseIngest.countDown();
        threads.shutdownNow();
        server.close();
    }

    static ScanReport image() {
        return InventoryHashTest.image();
    }

    static ScanReport other() {
        return new ScanReport().installed("bash", "5.2.15-2+b7").installed("zip", "3.0-13");
    }

    InventorySweeper sweeper() {
        return new InventorySweeper(server.database().jdbi(), clock, Duration.ofHours(1), 1_000, locked -> {});
    }

    @Test
    void deregisteredInstancesInventoryGoesOnceOldEnoughAndASharedOneStays() throws Exception {
        image().send(gone);
        image().hashOnly().send(live);
        other().send(fresh);
        ssm.deregisterManagedInstance(b -> b.instanceId(gone.instanceId()));
        ssm.deregisterManagedInstance(b -> b.instanceId(fresh.instanceId()));

        // Both deregistered instances let go of their inventories, but a just-stored one is left alone.
        assertThat(sweeper().sweepOnce()).isEqualTo(new InventorySweeper.Round(2, 0, false));
        assertThat(inventories()).containsExactlyInAnyOrder(image().hash(), other().hash());

        clock.advance(InventorySweeper.GRACE.plusMinutes(1));
        assertThat(sweeper().sweepOnce()).isEqualTo(new InventorySweeper.Round(0, 1, false));
        assertThat(inventories()).containsExactly(image().hash());
        // The live instance that shares it still lists its installed packages; the gone ones keep their state.
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(live.instanceId()))
                        .patches())
                .extracting(PatchComplianceData::title)
                .containsExactly("bash", "coreutils", "openssl");
        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(gone.instanceId(), fresh.instanceId()))
                        .instancePatchStates())
                .hasSize(2);

        ssm.deregisterManagedInstance(b -> b.instanceId(live.instanceId()));
        assertThat(sweeper().sweepOnce()).isEqualTo(new InventorySweeper.Round(1, 1, false));
        assertThat(inventories()).isEmpty();
        assertThat(sweeper().sweepOnce()).isEqualTo(new InventorySweeper.Round(0, 0, false));
    }

    @Test
    void rowsLeftByAnyOtherPathGoInBoundedBatches() {
        server.database().jdbi().useHandle(h -> {
            for (int i = 0; i < 5; i++) {
                h.createUpdate("INSERT INTO installed_inventories VALUES (:hash, 0, '\\x00'::bytea, :at)")
                        .bind("hash", "orphan-" + i)
                        .bind("at", clock.instant())
                        .execute();
            }
        });
        clock.advance(InventorySweeper.GRACE.plusSeconds(1));
        InventorySweeper sweeper = new InventorySweeper(
                server.database().jdbi(), clock, Duration.ofHours(1), 2, locked -> assertThat(locked)
                        .hasSizeLessThanOrEqualTo(2));

        assertThat(sweeper.sweepOnce()).isEqualTo(new InventorySweeper.Round(0, 2, true));
        assertThat(sweeper.sweepOnce()).isEqualTo(new InventorySweeper.Round(0, 2, true));
        assertThat(sweeper.sweepOnce()).isEqualTo(new InventorySweeper.Round(0, 1, false));
        assertThat(inventories()).isEmpty();
    }

    /** The sweep runs while an ingest that refers to the orphan has locked it but not committed. */
    @Test
    void sweepPassesOverAnInventoryAnIngestIsAboutToReferTo() throws Exception {
        image().send(gone);
        ssm.deregisterManagedInstance(b -> b.instanceId(gone.instanceId()));
        clock.advance(InventorySweeper.GRACE.plusMinutes(1));
        holdIngestOf.set(live.instanceId());

        // A host built from the same image names the inventory by its hash alone.
        CompletableFuture<JsonNode> ingest =
                CompletableFuture.supplyAsync(() -> send(image().hashOnly(), live), threads);
        assertThat(ingestHolds.await(30, TimeUnit.SECONDS)).isTrue();
        // The sweep does not wait for the ingest (it would never end here), nor delete what it locked.
        InventorySweeper.Round round = CompletableFuture.supplyAsync(
                        () -> sweeper().sweepOnce(), threads)
                .get(30, TimeUnit.SECONDS);
        releaseIngest.countDown();

        assertThat(round).isEqualTo(new InventorySweeper.Round(1, 0, false));
        assertThat(ingest.get(30, TimeUnit.SECONDS).path("InventoryStored").asBoolean())
                .isFalse();
        assertThat(sweeper().sweepOnce().deleted()).isZero();
        assertThat(inventories()).containsExactly(image().hash());
        assertThat(referencedBy(live)).contains(image().hash());
    }

    /**
     * The ingest comes while the sweep holds the orphan it is about to delete. Its INSERT ... ON CONFLICT DO
     * NOTHING sees the still-live row, its share lock then waits for the sweep and finds the row gone; today
     * the scan writer stores the report again in a transaction of its own, which inserts the inventory anew.
     */
    @Test
    void ingestOfAnInventoryBeingDeletedStoresItAgain() throws Exception {
        image().send(gone);
        ssm.deregisterManagedInstance(b -> b.instanceId(gone.instanceId()));
        clock.advance(InventorySweeper.GRACE.plusMinutes(1));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch delete = new CountDownLatch(1);
        InventorySweeper sweeper =
                new InventorySweeper(server.database().jdbi(), clock, Duration.ofHours(1), 1_000, candidates -> {
                    locked.countDown();
                    hold(delete);
                });
        CompletableFuture<InventorySweeper.Round> sweep = CompletableFuture.supplyAsync(sweeper::sweepOnce, threads);
        assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<JsonNode> ingest = CompletableFuture.supplyAsync(() -> send(image(), live), threads);
        // The ingest's transaction waits on the sweep's lock.
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnLocks() > 0);
        delete.countDown();

        assertThat(sweep.get(30, TimeUnit.SECONDS)).isEqualTo(new InventorySweeper.Round(1, 1, false));
        assertThat(ingest.get(30, TimeUnit.SECONDS).path("InventoryStored").asBoolean())
                .isTrue();
        assertThat(inventories()).containsExactly(image().hash());
        assertThat(referencedBy(live)).contains(image().hash());
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(live.instanceId()))
                        .patches())
                .hasSize(3);
    }

    private static JsonNode send(ScanReport report, FakeAgent agent) {
        try {
            return report.send(agent);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void hold(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int waitingOnLocks() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND wait_event_type = 'Lock'")
                .mapTo(Integer.class)
                .one());
    }

    private List<String> inventories() {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT inventory_hash FROM installed_inventories ORDER BY inventory_hash")
                .mapTo(String.class)
                .list());
    }

    private Optional<String> referencedBy(FakeAgent agent) {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT inventory_hash FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", agent.instanceId())
                .mapTo(String.class)
                .findOne());
    }
}
