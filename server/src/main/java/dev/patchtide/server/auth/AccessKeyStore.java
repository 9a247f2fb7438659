package dev.patchtide.server.auth;

import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.db.PgArrays;
import dev.patchtide.server.secrets.Sealing;
import dev.patchtide.server.secrets.SecretBox;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Access keys the server issues: admin keys for operators and one key per managed instance. The secret is
 * kept because Signature V4 verification needs it (HMAC, not a password hash), sealed under the server key
 * ({@link SecretBox}, bound to the key's id) so a copy of the database alone yields no usable key. It is
 * opened once, when a key is read into memory.
 *
 * <p>Found keys are kept in memory ({@link KeyCache}) so a signed request needs no database round trip in
 * the steady state. The guarantees: a key issued a moment ago works at once (unknown keys are never
 * cached, so a miss always asks the database); revocation stops a key at once on the revoking node and on
 * every other node sharing the database within {@link KeyCache#TRUST_NANOS}, through the {@link
 * RevocationFeed} each node polls ({@link #startRevocationFeed}); if that feed fails, entries older than
 * that bound are read again from the database.
 */
public final class AccessKeyStore {
    private static final char[] KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final char[] SECRET_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    /** Rows sealed per transaction when upgrading a database written before secrets were sealed. */
    private static final int SEAL_BATCH = 1000;

    private final Jdbi jdbi;
    private final SecretBox box;
    private final SecureRandom random = new SecureRandom();
    private final KeyCache cache;
    private final RevocationFeed feed;
    private final LongAdder databaseLookups = new LongAdder();

    /**
     * Seals secrets stored in plain text by a version before V22 (idempotent; several nodes may do it at
     * once).
     *
     * @throws IllegalStateException when active keys were sealed under another server key, naming the
     *     setting, so a server never starts unable to verify any signature
     */
    public AccessKeyStore(Jdbi jdbi, SecretBox box) {
        this(jdbi, box, System::nanoTime);
    }

    /** With the nanosecond ticker the cache measures trust and idleness by (tests move it by hand). */
    AccessKeyStore(Jdbi jdbi, SecretBox box, LongSupplier ticker) {
        this.jdbi = jdbi;
        this.box = box;
        this.cache = new KeyCache(ticker);
        this.feed = new RevocationFeed(jdbi, cache);
        refuseOtherServerKey();
        sealPlaintext();
    }

    /** Polls the database for keys other nodes revoked until closed; without it entries last 2 s. */
    public PollingLoop startRevocationFeed() {
        PollingLoop loop = new PollingLoop("access-key-revocations", RevocationFeed.INTERVAL, () -> {
            feed.poll();
            return false;
        });
        loop.start();
        return loop;
    }

    public record IssuedKey(String accessKeyId, String secretAccessKey) {}

    record StoredKey(String secretAccessKey, Principal principal) {}

    public IssuedKey createAdminKey(String description, Instant now) {
        return jdbi.inTransaction(handle -> insert(handle, null, description, now));
    }

    /** Issues an instance's own key inside the caller's transaction, so registration is all or nothing. */
    public IssuedKey createInstanceKey(Handle handle, String instanceId, Instant now) {
        long generation = cache.generation();
        IssuedKey key = insert(handle, instanceId, "managed instance " + instanceId, now);
        // Remembered once committed: ten thousand agents registered together then start polling without ten
        // thousand key look-ups competing for the pool (a drop since this started keeps it out, see KeyCache.put).
        handle.afterCommit(() -> cache.put(
                key.accessKeyId(),
                new StoredKey(key.secretAccessKey(), new Principal.Instance(key.accessKeyId(), instanceId)),
                cache.now(),
                generation));
        return key;
    }

    /**
     * As {@link #createInstanceKey} for several instances (a group of registrations), with one statement: the keys in
     * the order of {@code instanceIds}, each created at the time at the same place in {@code times}.
     */
    public List<IssuedKey> createInstanceKeys(Handle handle, List<String> instanceIds, List<Instant> times) {
        if (instanceIds.size() != times.size()) {
            throw new IllegalArgumentException("one time per instance");
        }
        long generation = cache.generation();
        int n = instanceIds.size();
        List<IssuedKey> issued = new java.util.ArrayList<>(n);
        String[] ids = new String[n];
        String[] sealed = new String[n];
        String[] descriptions = new String[n];
        String[] created = new String[n];
        for (int i = 0; i < n; i++) {
            IssuedKey key = newKey();
            issued.add(key);
            ids[i] = key.accessKeyId();
            sealed[i] = box.seal(key.secretAccessKey(), context(key.accessKeyId()));
            descriptions[i] = "managed instance " + instanceIds.get(i);
            created[i] = times.get(i).toString();
        }
        handle.createUpdate(
                        "INSERT INTO access_keys (access_key_id, secret_sealed, instance_id, description,"
                                + " created_at) SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:sealed AS text[]),"
                                + " CAST(:instances AS text[]), CAST(:descriptions AS text[]), CAST(:created AS timestamptz[]))")
                .bind("ids", PgArrays.texts(ids))
                .bind("sealed", PgArrays.texts(sealed))
                .bind("instances", PgArrays.texts(instanceIds.toArray(String[]::new)))
                .bind("descriptions", PgArrays.texts(descriptions))
                .bind("created", PgArrays.texts(created))
                .execute();
        handle.afterCommit(() -> {
            long now = cache.now();
            for (int i = 0; i < n; i++) {
                IssuedKey key = issued.get(i);
                cache.put(
                        key.accessKeyId(),
                        new StoredKey(
                                key.secretAccessKey(), new Principal.Instance(key.accessKeyId(), instanceIds.get(i))),
                        now,
                        generation);
            }
        });
        return issued;
    }

    public void revokeInstanceKeys(Handle handle, String instanceId, Instant now) {
        List<String> revoked = handle.createQuery("UPDATE access_keys SET revoked_at = :now"
                        + " WHERE instance_id = :id AND revoked_at IS NULL RETURNING access_key_id")
                .bind("now", now)
                .bind("id", instanceId)
                .mapTo(String.class)
                .list();
        // Both now (so this node's requests stop before the commit is even seen) and after the commit (so a
        // look-up that raced with the transaction cannot leave the old key cached). Other nodes learn of it
        // from the revocation feed.
        cache.drop(revoked);
        handle.afterCommit(() -> cache.drop(revoked));
    }

    public boolean isActiveAdminKey(String accessKeyId, String secretAccessKey) {
        return find(accessKeyId)
                .filter(key -> key.principal() instanceof Principal.Admin)
                .filter(key -> MessageDigest.isEqual(
                        key.secretAccessKey().getBytes(StandardCharsets.UTF_8),
                        secretAccessKey.getBytes(StandardCharsets.UTF_8)))
                .isPresent();
    }

    Optional<StoredKey> find(String accessKeyId) {
        long now = cache.now();
        Optional<StoredKey> cached = cache.get(accessKeyId, now);
        if (cached.isPresent()) {
            return cached;
        }
        if (cache.heldWhileFeedIsLate(accessKeyId) && feed.catchUp(now)) {
            // A poll that started after this request arrived has been applied: the entry is as fresh as this
            // request needs, however long that poll took (a slow poll must not send every request to the database).
            cached = cache.getCovered(accessKeyId, now);
            if (cached.isPresent()) {
                return cached;
            }
        }
        long generation = cache.generation();
        Optional<StoredKey> found = load(accessKeyId);
        // Only keys that exist are cached: a key issued a moment ago must work at once.
        found.ifPresent(key -> cache.put(accessKeyId, key, now, generation));
        return found;
    }

    /** Look-ups that went to the database (for tests and measurements). */
    long databaseLookups() {
        return databaseLookups.sum();
    }

    /** Keys held in memory (for tests and measurements). */
    int cachedKeys() {
        return cache.size();
    }

    /** Polls of the revocation feed so far (for tests). */
    long feedPolls() {
        return feed.polls();
    }

    /** One poll of the revocation feed, as the background loop does it. */
    void pollRevocations() {
        feed.poll();
    }

    private Optional<StoredKey> load(String accessKeyId) {
        databaseLookups.increment();
        // A row another node is sealing right now has no sealed secret yet: not found, like any unknown key.
        return jdbi.withHandle(handle -> handle.createQuery("SELECT secret_sealed, instance_id FROM access_keys"
                        + " WHERE access_key_id = :id AND revoked_at IS NULL AND secret_sealed IS NOT NULL")
                .bind("id", accessKeyId)
                .map((rs, ctx) -> {
                    String instanceId = rs.getString("instance_id");
                    Principal principal = instanceId == null
                            ? new Principal.Admin(accessKeyId)
                            : new Principal.Instance(accessKeyId, instanceId);
                    return new StoredKey(box.open(rs.getString("secret_sealed"), context(accessKeyId)), principal);
                })
                .findOne());
    }

    /** What the sealed secret is bound to: a sealed secret copied onto another key's row does not open. */
    private static String context(String accessKeyId) {
        return "access-key:" + accessKeyId;
    }

    private void refuseOtherServerKey() {
        jdbi.useHandle(h ->
                Sealing.refuseOtherKeys(h, box, "Access key", "access_keys", "secret_sealed", "revoked_at IS NULL"));
    }

    /** Seals the secrets a version before V22 kept in plain text, and empties that column; returns how many. */
    int sealPlaintext() {
        int total = 0;
        int sealed;
        do {
            sealed = jdbi.inTransaction(h -> {
                // FOR UPDATE without SKIP LOCKED: a node starting at the same time waits, then finds them sealed.
                List<String[]> rows = h.createQuery("SELECT access_key_id, secret_access_key FROM access_keys"
                                + " WHERE secret_access_key IS NOT NULL ORDER BY access_key_id LIMIT :n FOR UPDATE")
                        .bind("n", SEAL_BATCH)
                        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                        .list();
                if (rows.isEmpty()) {
                    return 0;
                }
                PreparedBatch batch = h.prepareBatch("UPDATE access_keys SET secret_sealed = :sealed,"
                        + " secret_access_key = NULL WHERE access_key_id = :id");
                for (String[] row : rows) {
                    batch.bind("id", row[0])
                            .bind("sealed", box.seal(row[1], context(row[0])))
                            .add();
                }
                batch.execute();
                return rows.size();
            });
            total += sealed;
        } while (sealed == SEAL_BATCH);
        return total;
    }

    private IssuedKey insert(Handle handle, String instanceId, String description, Instant now) {
        IssuedKey key = newKey();
        handle.createUpdate("INSERT INTO access_keys (access_key_id, secret_sealed, instance_id, description,"
                        + " created_at) VALUES (:id, :sealed, :instance, :description, :now)")
                .bind("id", key.accessKeyId())
                .bind("sealed", box.seal(key.secretAccessKey(), context(key.accessKeyId())))
                .bind("instance", instanceId)
                .bind("description", description)
                .bind("now", now)
                .execute();
        return key;
    }

    private IssuedKey newKey() {
        return new IssuedKey("AKIA" + randomString(KEY_ID_ALPHABET, 16), randomString(SECRET_ALPHABET, 40));
    }

    private String randomString(char[] alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return new String(out);
    }
}
