package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.secrets.SecretBox;
import dev.patchtide.server.secrets.ServerKey;
import dev.patchtide.server.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Registrations written in groups, over a real PostgreSQL: refusals refuse only their caller and leave nothing,
 * the activation limit stays exact inside a group and across two nodes, and a group whose connection dies leaves
 * nothing half-written and answers nobody before their registration is committed.
 */
class RegistrationGroupsTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private Database database;
    private Jdbi jdbi;
    private final TagStore tags = new TagStore();
    private final RecordingSink sink = new RecordingSink();
    private ActivationStore activations;
    private InstanceRegistration registration;
    private final ExecutorService pool = Executors.newFixedThreadPool(160);

    @BeforeEach
    void start() {
        database = Database.connect(TestDatabases.fresh());
        jdbi = database.jdbi();
        activations = new ActivationStore(jdbi, tags);
        registration = node();
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        database.close();
    }

    /** A server node's registration over the shared database (its own key cache and its own groups). */
    private InstanceRegistration node() {
        return new InstanceRegistration(
                jdbi, new AccessKeyStore(jdbi, new SecretBox(ServerKey.ofThisProcess())), tags, sink);
    }

    @Test
    void aGroupRefusesItsBadMembersAloneAndFillsALimitReachedMidGroupExactly() throws Exception {
        ActivationStore.Created web = activation(1000, List.of(new Tag("Patch Group", "web")), NOW.plusSeconds(3600));
        ActivationStore.Created small = activation(5, List.of(), NOW.plusSeconds(3600));
        ActivationStore.Created expired = activation(10, List.of(), NOW.minusSeconds(1));
        ActivationStore.Created decoy = activation(10, List.of(), NOW.plusSeconds(3600));

        List<Future<Object>> decoys = new ArrayList<>();
        List<Future<Object>> webs = new ArrayList<>();
        List<Future<Object>> smalls = new ArrayList<>();
        Future<Object> wrongCode;
        Future<Object> unknown;
        Future<Object> late;
        List<Thread> callers = new CopyOnWriteList<>();
        try (Handle holder = jdbi.open()) {
            // Both writers' first groups wait on the decoy activation's lock, so everything else queues up behind
            // them and is written as one group once the lock goes.
            holder.begin();
            holder.createQuery("SELECT 1 FROM activations WHERE activation_id = :id FOR UPDATE")
                    .bind("id", decoy.activationId())
                    .mapTo(Integer.class)
                    .one();
            for (int i = 1; i <= 2; i++) {
                decoys.add(submit(callers, decoy.activationId(), decoy.activationCode()));
                int waiting = i;
                await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnLocks() == waiting);
            }
            for (int i = 0; i < 60; i++) {
                webs.add(submit(callers, web.activationId(), web.activationCode()));
                if (i % 3 == 0 && smalls.size() < 20) {
                    smalls.add(submit(callers, small.activationId(), small.activationCode()));
                }
            }
            while (smalls.size() < 20) {
                smalls.add(submit(callers, small.activationId(), small.activationCode()));
            }
            wrongCode = submit(callers, web.activationId(), "X".repeat(20));
            unknown = submit(callers, UUID.randomUUID(), web.activationCode());
            late = submit(callers, expired.activationId(), expired.activationCode());
            int queued = webs.size() + smalls.size() + 3;
            // Every one of them parked waiting for its group's answer (a timed wait), none written yet.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> callers.stream()
                                    .filter(t -> t.getState() == Thread.State.TIMED_WAITING)
                                    .count()
                            == queued);
            holder.rollback();
        }

        for (Future<Object> d : decoys) {
            assertThat(d.get(30, TimeUnit.SECONDS)).isInstanceOf(RegistrationWriter.Registered.class);
        }
        List<String> registered = new ArrayList<>();
        for (Future<Object> f : webs) {
            registered.add(instanceId(f.get(30, TimeUnit.SECONDS)));
        }
        int smallWins = 0;
        for (Future<Object> f : smalls) {
            Object outcome = f.get(30, TimeUnit.SECONDS);
            if (outcome instanceof RegistrationWriter.Registered r) {
                registered.add(r.instanceId());
                smallWins++;
            } else {
                assertThat(((ApiException) outcome).code()).isEqualTo("InvalidActivation");
                assertThat(((ApiException) outcome).getMessage())
                        .isEqualTo("Activation " + small.activationId() + " has reached its registration limit of 5.");
            }
        }
        assertThat(smallWins).isEqualTo(5);
        assertThat(((ApiException) wrongCode.get(30, TimeUnit.SECONDS)).getMessage())
                .isEqualTo(RegistrationWriter.invalidActivation().getMessage());
        assertThat(((ApiException) unknown.get(30, TimeUnit.SECONDS)).getMessage())
                .isEqualTo(RegistrationWriter.invalidActivation().getMessage());
        assertThat(((ApiException) late.get(30, TimeUnit.SECONDS)).getMessage())
                .startsWith("Activation " + expired.activationId() + " expired at ");

        // The 65 admitted and the 18 refused were decided in one group, and only the admitted were written.
        assertThat(sink.groupSizes).contains(65);
        assertThat(count(web.activationId())).isEqualTo(60);
        assertThat(count(small.activationId())).isEqualTo(5);
        assertThat(count(expired.activationId())).isZero();
        assertThat(instancesOf(web.activationId())).hasSize(60);
        assertThat(instancesOf(small.activationId())).hasSize(5);
        assertThat(instancesOf(expired.activationId())).isEmpty();
        assertWholeAndOnlyAnswered(registered, 2);
        int tagged = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM managed_instances m JOIN resource_tags t"
                        + " ON t.resource_type = 'ManagedInstance' AND t.resource_id = m.instance_id"
                        + " WHERE m.activation_id = :id AND t.tag_key = 'Patch Group' AND t.tag_value = 'web'"
                        + " AND m.patch_group = 'web'")
                .bind("id", web.activationId())
                .mapTo(Integer.class)
                .one());
        assertThat(tagged).isEqualTo(60);
    }

    @Test
    void twoNodesRacingForTheLastSlotLetExactlyOneWin() throws Exception {
        InstanceRegistration other = node();
        for (int round = 0; round < 10; round++) {
            ActivationStore.Created activation = activation(3, List.of(), NOW.plusSeconds(3600));
            registration.register(activation.activationId(), activation.activationCode(), NOW);
            registration.register(activation.activationId(), activation.activationCode(), NOW);
            CyclicBarrier together = new CyclicBarrier(2);
            Future<Object> a = pool.submit(race(together, registration, activation));
            Future<Object> b = pool.submit(race(together, other, activation));
            List<Object> outcomes = List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
            assertThat(outcomes)
                    .filteredOn(o -> o instanceof RegistrationWriter.Registered)
                    .hasSize(1);
            assertThat(outcomes).filteredOn(o -> o instanceof ApiException).hasSize(1);
            assertThat(count(activation.activationId())).isEqualTo(3);
            assertThat(instancesOf(activation.activationId())).hasSize(3);
        }

        // And in bulk: two nodes' groups over one activation admit exactly its limit.
        ActivationStore.Created shared = activation(50, List.of(), NOW.plusSeconds(3600));
        List<Future<Object>> attempts = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            InstanceRegistration via = i % 2 == 0 ? registration : other;
            attempts.add(pool.submit(() -> outcome(via, shared.activationId(), shared.activationCode())));
        }
        int wins = 0;
        for (Future<Object> f : attempts) {
            wins += f.get(30, TimeUnit.SECONDS) instanceof RegistrationWriter.Registered ? 1 : 0;
        }
        assertThat(wins).isEqualTo(50);
        assertThat(count(shared.activationId())).isEqualTo(50);
        assertThat(instancesOf(shared.activationId())).hasSize(50);
    }

    @Test
    void aGroupWhoseConnectionIsKilledLeavesNothingHalfWrittenAndAnswersOnlyWhatCommitted() throws Exception {
        ActivationStore.Created activation =
                activation(1000, List.of(new Tag("Patch Group", "db")), NOW.plusSeconds(3600));
        sink.blockGroupsLargerThan = 1;
        List<Thread> callers = new CopyOnWriteList<>();
        List<Future<Object>> attempts = new ArrayList<>();
        try (Handle holder = jdbi.open()) {
            holder.begin();
            holder.createQuery("SELECT 1 FROM activations WHERE activation_id = :id FOR UPDATE")
                    .bind("id", activation.activationId())
                    .mapTo(Integer.class)
                    .one();
            for (int i = 1; i <= 2; i++) {
                attempts.add(submit(callers, activation.activationId(), activation.activationCode()));
                int waiting = i;
                await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnLocks() == waiting);
            }
            for (int i = 0; i < 40; i++) {
                attempts.add(submit(callers, activation.activationId(), activation.activationCode()));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> callers.stream()
                                    .filter(t -> t.getState() == Thread.State.TIMED_WAITING)
                                    .count()
                            == 40);
            holder.rollback();
        }
        // The group of 40 has written its count, instances and tags, and waits before its events and keys.
        assertThat(sink.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        jdbi.useHandle(h -> h.createQuery("SELECT pg_terminate_backend(:pid)")
                .bind("pid", sink.blockedPid.get())
                .mapTo(Boolean.class)
                .one());
        assertThat(attempts.stream().skip(2).filter(Future::isDone)).isEmpty();
        // Only what the decoys committed is visible (the second may still wait on the lock the group held): the
        // killed group's count, instances and tags are gone with its transaction.
        List<Integer> seen = jdbi.withHandle(h -> h.createQuery("SELECT registrations_count, (SELECT count(*)"
                        + " FROM managed_instances m WHERE m.activation_id = a.activation_id)::int"
                        + " FROM activations a WHERE activation_id = :id") // one snapshot for both
                .bind("id", activation.activationId())
                .map((rs, ctx) -> List.of(rs.getInt(1), rs.getInt(2)))
                .one());
        assertThat(seen.get(0)).isLessThanOrEqualTo(2).isEqualTo(seen.get(1));
        sink.release.countDown();

        // Written again one at a time on fresh connections: all committed, each whole, each answered.
        List<String> registered = new ArrayList<>();
        for (Future<Object> f : attempts) {
            registered.add(instanceId(f.get(60, TimeUnit.SECONDS)));
        }
        assertThat(count(activation.activationId())).isEqualTo(42);
        assertWholeAndOnlyAnswered(registered, 0);
    }

    /** Every answered instance has its row, its key and its (committed) event; nothing else was written. */
    private void assertWholeAndOnlyAnswered(List<String> answered, int others) {
        Set<String> expected = new java.util.HashSet<>(answered);
        assertThat(expected).hasSize(answered.size());
        List<String> rows = jdbi.withHandle(h -> h.createQuery("SELECT instance_id FROM managed_instances")
                .mapTo(String.class)
                .list());
        assertThat(rows).hasSize(answered.size() + others).containsAll(expected);
        List<String> keyed = jdbi.withHandle(h -> h.createQuery(
                        "SELECT instance_id FROM access_keys WHERE instance_id IS NOT NULL AND secret_sealed IS NOT NULL")
                .mapTo(String.class)
                .list());
        assertThat(keyed).containsExactlyInAnyOrderElementsOf(rows);
        assertThat(sink.committed).containsExactlyInAnyOrderElementsOf(rows);
    }

    private Callable<Object> race(CyclicBarrier together, InstanceRegistration via, ActivationStore.Created a) {
        return () -> {
            together.await(30, TimeUnit.SECONDS);
            return outcome(via, a.activationId(), a.activationCode());
        };
    }

    private Future<Object> submit(List<Thread> callers, UUID activationId, String code) {
        return pool.submit(() -> {
            callers.add(Thread.currentThread());
            return outcome(registration, activationId, code);
        });
    }

    private static Object outcome(InstanceRegistration via, UUID activationId, String code) {
        try {
            return via.register(activationId, code, NOW);
        } catch (ApiException refused) {
            return refused;
        }
    }

    private static String instanceId(Object outcome) {
        assertThat(outcome).isInstanceOf(RegistrationWriter.Registered.class);
        return ((RegistrationWriter.Registered) outcome).instanceId();
    }

    private ActivationStore.Created activation(int limit, List<Tag> tagList, Instant expires) {
        return activations.create(
                new ActivationStore.NewActivation("", "host", "role", limit, expires, tagList), NOW.minusSeconds(60));
    }

    private int count(UUID activationId) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT registrations_count FROM activations WHERE activation_id = :id")
                        .bind("id", activationId)
                        .mapTo(Integer.class)
                        .one());
    }

    private List<String> instancesOf(UUID activationId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT instance_id FROM managed_instances WHERE activation_id = :id")
                .bind("id", activationId)
                .mapTo(String.class)
                .list());
    }

    private int waitingOnLocks() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                        + " current_database() AND wait_event_type = 'Lock'")
                .mapTo(Integer.class)
                .one());
    }

    private static final class CopyOnWriteList<T> extends java.util.concurrent.CopyOnWriteArrayList<T> {
        private static final long serialVersionUID = 1L;
    }

    /** Records the group sizes and the events that committed; can stop one group mid-way to kill its connection. */
    private static final class RecordingSink implements FleetEventSink {
        final List<Integer> groupSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Set<String> committed = ConcurrentHashMap.newKeySet();
        volatile int blockGroupsLargerThan = Integer.MAX_VALUE;
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger blockedPid = new AtomicInteger();

        @Override
        public void instancesRegistered(Handle handle, Map<String, String> names) {
            groupSizes.add(names.size());
            if (names.size() > blockGroupsLargerThan && blocked.getCount() > 0) {
                blockedPid.set(handle.createQuery("SELECT pg_backend_pid()")
                        .mapTo(Integer.class)
                        .one());
                blocked.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            handle.afterCommit(() -> committed.addAll(names.keySet()));
        }
    }
}
