package dev.patchtide.server.auth;

import dev.patchtide.server.background.PollingLoop;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Access keys the server issues: admin keys for operators and one key per managed instance. The secret is
 * kept because Signature V4 verification needs it (HMAC, not a password hash).
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

    private final Jdbi jdbi;
    private final SecureRandom random = new SecureRandom();
    private final KeyCache cache;
    private final RevocationFeed feed;
    private final LongAdder databaseLookups = new LongAdder();

    public AccessKeyStore(Jdbi jdbi) {
        this(jdbi, System::nanoTime);
    }

    /** With the nanosecond ticker the cache measures trust and idleness by (tests move it by hand). */
    AccessKeyStore(Jdbi jdbi, LongSupplier ticker) {
        this.jdbi = jdbi;
        this.cache = new KeyCache(ticker);
        this.feed = new RevocationFeed(jdbi, cache);
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
        return insert(handle, instanceId, "managed instance " + instanceId, now);
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
                .filter(key -> key.secretAccessKey().equals(secretAccessKey))
                .isPresent();
    }

    Optional<StoredKey> find(String accessKeyId) {
        long now = cache.now();
        Optional<StoredKey> cached = cache.get(accessKeyId, now);
        if (cached.isPresent()) {
            return cached;
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

    /** One poll of the revocation feed, as the background loop does it. */
    void pollRevocations() {
        feed.poll();
    }

    private Optional<StoredKey> load(String accessKeyId) {
        databaseLookups.increment();
        return jdbi.withHandle(handle -> handle.createQuery("SELECT secret_access_key, instance_id FROM access_keys"
                        + " WHERE access_key_id = :id AND revoked_at IS NULL")
                .bind("id", accessKeyId)
                .map((rs, ctx) -> {
                    String instanceId = rs.getString("instance_id");
                    Principal principal = instanceId == null
                            ? new Principal.Admin(accessKeyId)
                            : new Principal.Instance(accessKeyId, instanceId);
                    return new StoredKey(rs.getString("secret_access_key"), principal);
                })
                .findOne());
    }

    private IssuedKey insert(Handle handle, String instanceId, String description, Instant now) {
        IssuedKey key = new IssuedKey("AKIA" + randomString(KEY_ID_ALPHABET, 16), randomString(SECRET_ALPHABET, 40));
        handle.createUpdate("INSERT INTO access_keys (access_key_id, secret_access_key, instance_id, description,"
                        + " created_at) VALUES (:id, :secret, :instance, :description, :now)")
                .bind("id", key.accessKeyId())
                .bind("secret", key.secretAccessKey())
                .bind("instance", instanceId)
                .bind("description", description)
                .bind("now", now)
                .execute();
        return key;
    }

    private String randomString(char[] alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return new String(out);
    }
}
