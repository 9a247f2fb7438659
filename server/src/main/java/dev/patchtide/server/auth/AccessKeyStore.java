package dev.patchtide.server.auth;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Access keys the server issues: admin keys for operators and one key per managed instance. The
 * secret is kept because Signature V4 verification needs it (HMAC, not a password hash).
 */
public final class AccessKeyStore {
    private static final char[] KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final char[] SECRET_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    /**
     * How long a found key is trusted without asking the database again. Revocation on this node drops the
     * key at once (after the revoking transaction commits); another node sharing the database notices
     * within this time. Measured with System.nanoTime, not the server's clock: it bounds staleness in real
     * time, whatever a test's clock says.
     */
    static final long CACHE_NANOS = 2_000_000_000L;

    private record Cached(StoredKey key, long expiresAt) {}

    private final Jdbi jdbi;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Bumped by every local revocation: a look-up that overlapped one does not cache what it read. */
    private final AtomicLong revocations = new AtomicLong();

    public AccessKeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
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
        handle.createUpdate("UPDATE access_keys SET revoked_at = :now WHERE instance_id = :id AND revoked_at IS NULL")
                .bind("now", now)
                .bind("id", instanceId)
                .execute();
        // Both now (so this node's requests stop before the commit is even seen) and after the commit (so a
        // look-up that raced with the transaction cannot leave the old key cached).
        dropInstance(instanceId);
        handle.afterCommit(() -> dropInstance(instanceId));
    }

    private void dropInstance(String instanceId) {
        revocations.incrementAndGet();
        cache.values()
                .removeIf(c -> c.key().principal() instanceof Principal.Instance i
                        && i.instanceId().equals(instanceId));
    }

    public boolean isActiveAdminKey(String accessKeyId, String secretAccessKey) {
        return find(accessKeyId)
                .filter(key -> key.principal() instanceof Principal.Admin)
                .filter(key -> key.secretAccessKey().equals(secretAccessKey))
                .isPresent();
    }

    Optional<StoredKey> find(String accessKeyId) {
        long now = System.nanoTime();
        Cached cached = cache.get(accessKeyId);
        if (cached != null && now - cached.expiresAt() < 0) {
            return Optional.of(cached.key());
        }
        long epoch = revocations.get();
        Optional<StoredKey> found = load(accessKeyId);
        // Only keys that exist are cached: a key issued a moment ago must work at once.
        if (found.isPresent() && revocations.get() == epoch) {
            cache.put(accessKeyId, new Cached(found.get(), now + CACHE_NANOS));
        }
        if (cache.size() > 200_000) {
            cache.values().removeIf(c -> now - c.expiresAt() >= 0);
        }
        return found;
    }

    private Optional<StoredKey> load(String accessKeyId) {
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
