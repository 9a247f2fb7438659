package dev.patchtide.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.db.Database;
import dev.patchtide.server.secrets.SecretBox;
import dev.patchtide.server.secrets.ServerKey;
import dev.patchtide.server.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The access-key cache on a real database, with two stores as two server nodes sharing it. The
 * nanosecond ticker the cache trusts entries by is moved by hand; the feed is polled by hand.
 */
class AccessKeyCacheTest {
    private final Database database = TestDatabases.connectFresh();
    private final Jdbi jdbi = database.jdbi();
    private final Ticker ticker = new Ticker();
    private final SecretBox box = new SecretBox(ServerKey.ofThisProcess());
    private final AccessKeyStore nodeA = new AccessKeyStore(jdbi, box, ticker);
    private final AccessKeyStore nodeB = new AccessKeyStore(jdbi, box, ticker);

    @AfterEach
    void stop() {
        database.close();
    }

    @Test
    void issuedKeyWorksAtOnceAndIsThenServedFromMemory() {
        String admin = nodeA.createAdminKey("ops", Instant.now()).accessKeyId();
        String instanceKey = issueInstanceKey(nodeA, "mi-00000000000000001");
        nodeA.pollRevocations();

        assertThat(nodeA.find(instanceKey))
                .map(k -> k.principal())
                .contains(principal(instanceKey, "mi-00000000000000001"));
        assertThat(nodeA.find(admin)).map(k -> k.principal()).contains(new Principal.Admin(admin));
        long lookups = nodeA.databaseLookups();
        for (int i = 0; i < 5; i++) {
            ticker.advance(Duration.ofMinutes(1));
            nodeA.pollRevocations();
            assertThat(nodeA.find(instanceKey)).isPresent();
            assertThat(nodeA.find(admin)).isPresent();
        }
        assertThat(nodeA.databaseLookups()).isEqualTo(lookups);
    }

    @Test
    void aKeyIssuedHereIsServedFromMemoryFromItsFirstUseOnceCommittedAndNeverWhenRolledBack() {
        nodeA.pollRevocations();
        long lookups = nodeA.databaseLookups();
        String key = issueInstanceKey(nodeA, "mi-00000000000000016");
        assertThat(nodeA.find(key)).map(k -> k.principal()).contains(principal(key, "mi-00000000000000016"));
        assertThat(nodeA.databaseLookups()).isEqualTo(lookups);

        String[] rolledBack = new String[1];
        Handle handle = jdbi.open();
        try (handle) {
            handle.begin();
            rolledBack[0] = nodeA.createInstanceKey(handle, "mi-00000000000000017", Instant.now())
                    .accessKeyId();
            handle.rollback();
        }
        assertThat(nodeA.find(rolledBack[0])).isEmpty();
        assertThat(nodeA.databaseLookups()).isEqualTo(lookups + 1);
    }

    @Test
    void unknownKeysAreNotRememberedSoAKeyIssuedOnAnotherNodeWorksAtOnce() {
        nodeB.pollRevocations();
        assertThat(nodeB.find("AKIAUNKNOWN000000000")).isEmpty();

        String key = issueInstanceKey(nodeA, "mi-00000000000000002");
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.find("AKIAUNKNOWN000000000")).isEmpty();
        assertThat(nodeB.cachedKeys()).isEqualTo(1);
    }

    @Test
    void revocationStopsTheKeyAtOnceOnTheRevokingNodeEvenIfReadAgainBeforeTheCommit() {
        String key = issueInstanceKey(nodeA, "mi-00000000000000003");
        nodeA.pollRevocations();
        assertThat(nodeA.find(key)).isPresent();

        try (Handle handle = jdbi.open()) {
            handle.begin();
            nodeA.revokeInstanceKeys(handle, "mi-00000000000000003", Instant.now());
            // Not committed yet: the database still answers with the key, and this look-up caches it.
            long lookups = nodeA.databaseLookups();
            assertThat(nodeA.find(key)).isPresent();
            assertThat(nodeA.databaseLookups()).isEqualTo(lookups + 1);
            handle.commit();
        }

        assertThat(nodeA.find(key)).isEmpty();
        nodeA.pollRevocations();
        assertThat(nodeA.find(key)).isEmpty();
    }

    @Test
    void revocationOnOneNodeReachesTheOtherAtItsNextPoll() {
        String key = issueInstanceKey(nodeA, "mi-00000000000000004");
        nodeB.pollRevocations();
        assertThat(nodeB.find(key)).isPresent();

        revoke(nodeA, "mi-00000000000000004");
        // Node B has not polled since: within the bound it may still serve its copy (from memory).
        long lookups = nodeB.databaseLookups();
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups);

        nodeB.pollRevocations();
        assertThat(nodeB.find(key)).isEmpty();
    }

    @Test
    void revocationCommittedAfterALaterOneIsNotMissed() {
        String first = issueInstanceKey(nodeA, "mi-00000000000000005");
        String second = issueInstanceKey(nodeA, "mi-00000000000000006");
        nodeB.pollRevocations();
        assertThat(nodeB.find(first)).isPresent();
        assertThat(nodeB.find(second)).isPresent();

        try (Handle early = jdbi.open();
                Handle late = jdbi.open()) {
            // The early transaction revokes first (so it gets the lower transaction id) but commits last.
            early.begin();
            nodeA.revokeInstanceKeys(early, "mi-00000000000000005", Instant.now());
            late.begin();
            nodeA.revokeInstanceKeys(late, "mi-00000000000000006", Instant.now());
            late.commit();

            nodeB.pollRevocations();
            assertThat(nodeB.find(second)).isEmpty();
            assertThat(nodeB.find(first)).isPresent();
            ticker.advance(Duration.ofMillis(500));
            nodeB.pollRevocations();

            early.commit();
        }
        ticker.advance(Duration.ofMillis(500));
        nodeB.pollRevocations();
        assertThat(nodeB.find(first)).isEmpty();
        assertThat(nodeB.find(second)).isEmpty();
    }

    @Test
    void aLookUpThatOverlapsADropDoesNotKeepWhatItRead() {
        KeyCache cache = new KeyCache(ticker);
        AccessKeyStore.StoredKey key =
                new AccessKeyStore.StoredKey("secret", principal("AKIAOVERLAP000000000", "mi-1"));
        long loadedAt = cache.now();

        long before = cache.generation();
        // (the look-up reads the database here, while a revocation of the key commits and is dropped)
        cache.drop(java.util.List.of("AKIAOVERLAP000000000"));
        cache.put("AKIAOVERLAP000000000", key, loadedAt, before);
        assertThat(cache.get("AKIAOVERLAP000000000", cache.now())).isEmpty();

        cache.put("AKIAOVERLAP000000000", key, loadedAt, cache.generation());
        assertThat(cache.get("AKIAOVERLAP000000000", cache.now())).contains(key);
    }

    @Test
    void aRevocationMadeByHandInSqlIsFedToo() {
        String key = issueInstanceKey(nodeA, "mi-00000000000000007");
        nodeB.pollRevocations();
        assertThat(nodeB.find(key)).isPresent();

        jdbi.useHandle(h -> h.execute("UPDATE access_keys SET revoked_at = now() WHERE access_key_id = ?", key));
        nodeB.pollRevocations();
        assertThat(nodeB.find(key)).isEmpty();
    }

    @Test
    void withoutARecentSuccessfulPollEntriesAreTrustedForTwoSecondsOnly() {
        String key = issueInstanceKey(nodeA, "mi-00000000000000008");
        nodeB.pollRevocations();
        assertThat(nodeB.find(key)).isPresent();
        ticker.advance(Duration.ofMinutes(3));
        nodeB.pollRevocations();
        long lookups = nodeB.databaseLookups();
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups);

        revoke(nodeA, "mi-00000000000000008");
        // The feed breaks (the database answers look-ups, not the feed's query): node B never learns of it.
        jdbi.useHandle(h -> h.execute("ALTER TABLE access_keys RENAME COLUMN revoked_xid TO revoked_xid_gone"));
        ticker.advance(Duration.ofMillis(500));
        assertThatThrownBy(nodeB::pollRevocations).isInstanceOf(RuntimeException.class);
        ticker.advance(Duration.ofMillis(1400));
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups);

        ticker.advance(Duration.ofMillis(200));
        assertThat(nodeB.find(key)).isEmpty();
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups + 1);
    }

    @Test
    void withoutTheFeedAKeyIsReadAgainEveryTwoSeconds() {
        String key = issueInstanceKey(nodeA, "mi-00000000000000009");
        assertThat(nodeB.find(key)).isPresent();
        long lookups = nodeB.databaseLookups();
        ticker.advance(Duration.ofMillis(1900));
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups);
        ticker.advance(Duration.ofMillis(200));
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups + 1);
    }

    @Test
    void whenTheFeedIsLateEveryWaitingRequestSharesOneCatchUpPollInsteadOfReadingItsKey() throws Exception {
        String key = issueInstanceKey(nodeA, "mi-00000000000000012");
        String other = issueInstanceKey(nodeA, "mi-00000000000000013");
        nodeB.pollRevocations();
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.find(other)).isPresent();
        long lookups = nodeB.databaseLookups();
        long polls = nodeB.feedPolls();

        ticker.advance(Duration.ofSeconds(3)); // the background poll has fallen behind
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var found = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int i = 0; i < 50; i++) {
                found.add(threads.submit(() -> nodeB.find(key).isPresent()));
            }
            for (var f : found) {
                assertThat(f.get()).isTrue();
            }
        }
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups);
        assertThat(nodeB.feedPolls()).isEqualTo(polls + 1);

        // The catch-up is a real poll: a revocation made on another node meanwhile is applied by it.
        revoke(nodeA, "mi-00000000000000013");
        ticker.advance(Duration.ofSeconds(3));
        assertThat(nodeB.find(other)).isEmpty();
        assertThat(nodeB.feedPolls()).isEqualTo(polls + 2);
    }

    @Test
    void aCatchUpPollSlowerThanTheTrustWindowStillServesTheKeysItCovers() {
        String key = issueInstanceKey(nodeA, "mi-00000000000000014");
        String other = issueInstanceKey(nodeA, "mi-00000000000000015");
        nodeB.pollRevocations();
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.find(other)).isPresent();
        long lookups = nodeB.databaseLookups();

        ticker.advance(Duration.ofSeconds(3)); // the background poll has fallen behind
        ticker.eachRead(Duration.ofMillis(2500)); // and the machine is so loaded that a poll takes longer than 2 s
        assertThat(nodeB.find(key)).isPresent();
        assertThat(nodeB.databaseLookups()).isEqualTo(lookups);

        // Covered means covered: a revocation committed before the request is applied by its catch-up.
        revoke(nodeA, "mi-00000000000000015");
        assertThat(nodeB.find(other)).isEmpty();
    }

    @Test
    void keysNotUsedForTenMinutesAreForgotten() {
        String used = issueInstanceKey(nodeA, "mi-00000000000000010");
        String idle = issueInstanceKey(nodeA, "mi-00000000000000011");
        nodeB.pollRevocations();
        nodeB.find(used);
        nodeB.find(idle);
        assertThat(nodeB.cachedKeys()).isEqualTo(2);

        for (int minute = 0; minute < 11; minute++) {
            ticker.advance(Duration.ofMinutes(1));
            nodeB.pollRevocations();
            assertThat(nodeB.find(used)).isPresent();
        }
        assertThat(nodeB.cachedKeys()).isEqualTo(1);
        assertThat(nodeB.find(idle)).isPresent();
    }

    private String issueInstanceKey(AccessKeyStore node, String instanceId) {
        return jdbi.inTransaction(h -> node.createInstanceKey(h, instanceId, Instant.now()))
                .accessKeyId();
    }

    private void revoke(AccessKeyStore node, String instanceId) {
        jdbi.useTransaction(h -> node.revokeInstanceKeys(h, instanceId, Instant.now()));
    }

    private static Principal principal(String accessKeyId, String instanceId) {
        return new Principal.Instance(accessKeyId, instanceId);
    }

    /** System.nanoTime's stand-in: starts anywhere, moves only when told. */
    private static final class Ticker implements LongSupplier {
        private final AtomicLong nanos = new AtomicLong(System.nanoTime());
        private volatile long stepNanos;

        @Override
        public long getAsLong() {
            return nanos.addAndGet(stepNanos);
        }

        /** From now on every read moves the ticker on by {@code step}: everything takes that long. */
        void eachRead(Duration step) {
            stepNanos = step.toNanos();
        }

        void advance(Duration duration) {
            nanos.addAndGet(duration.toNanos());
        }
    }
}
