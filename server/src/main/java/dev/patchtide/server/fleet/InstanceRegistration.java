package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.auth.AccessKeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * An agent spends one registration of a hybrid activation and receives its managed-instance id and its
 * own access key. One transaction: the count, the instance, its tags and its key appear together or not
 * at all, and concurrent registrations cannot exceed the activation's limit (the row is locked).
 */
final class InstanceRegistration {
    private final Jdbi jdbi;
    private final AccessKeyStore keys;
    private final TagStore tags;
    private final FleetEventSink events;
    private final SecureRandom random = new SecureRandom();

    InstanceRegistration(Jdbi jdbi, AccessKeyStore keys, TagStore tags, FleetEventSink events) {
        this.events = events;
        this.jdbi = jdbi;
        this.keys = keys;
        this.tags = tags;
    }

    record Registered(String instanceId, AccessKeyStore.IssuedKey key) {}

    private record ActivationRow(
            byte[] codeDigest, String iamRole, String name, int limit, boolean full, Instant expires) {}

    Registered register(UUID activationId, String activationCode, Instant now) {
        return jdbi.inTransaction(handle -> {
            // Counted and locked in one statement while the limit allows; a refusal below rolls the count back with
            // the transaction. A full (or missing) activation is read again to be refused in the usual order.
            ActivationRow activation = handle.createQuery("UPDATE activations"
                            + " SET registrations_count = registrations_count + 1"
                            + " WHERE activation_id = :id AND deleted_at IS NULL"
                            + " AND registrations_count < registration_limit RETURNING " + COLUMNS)
                    .bind("id", activationId)
                    .map((rs, ctx) -> row(rs, false))
                    .findOne()
                    .orElseGet(() -> handle.createQuery("SELECT " + COLUMNS + " FROM activations"
                                    + " WHERE activation_id = :id AND deleted_at IS NULL")
                            .bind("id", activationId)
                            .map((rs, ctx) -> row(rs, true))
                            .findOne()
                            .orElseThrow(InstanceRegistration::invalidActivation));
            if (!MessageDigest.isEqual(activation.codeDigest(), ActivationStore.digest(activationCode))) {
                throw invalidActivation();
            }
            if (!activation.expires().isAfter(now)) {
                throw new ApiException.Invalid(
                        "InvalidActivation",
                        "Activation " + activationId + " expired at " + activation.expires() + ".");
            }
            if (activation.full()) {
                throw new ApiException.Invalid(
                        "InvalidActivation",
                        "Activation " + activationId + " has reached its registration limit of " + activation.limit()
                                + ".");
            }
            String instanceId = newInstanceId();
            // Tags of the activation are applied to every instance registered with it, as in SSM; its patch group
            // is written with the row, so the tag trigger (V21, V35) finds nothing to change.
            List<Tag> inherited = tags.list(handle, ActivationStore.RESOURCE_TYPE, activationId.toString());
            handle.createUpdate("INSERT INTO managed_instances (instance_id, activation_id, iam_role, name,"
                            + " registration_date, patch_group) VALUES (:id, :activation, :role, :name, :now, :group)")
                    .bind("id", instanceId)
                    .bind("activation", activationId)
                    .bind("role", activation.iamRole())
                    .bind("name", activation.name())
                    .bind("now", now)
                    .bind("group", patchGroup(inherited))
                    .execute();
            tags.putDistinct(handle, InstanceStore.RESOURCE_TYPE, instanceId, inherited);
            events.instanceRegistered(handle, instanceId, activation.name());
            return new Registered(instanceId, keys.createInstanceKey(handle, instanceId, now));
        });
    }

    private static final String COLUMNS =
            "code_sha256, iam_role, default_instance_name, registration_limit, registrations_count, expiration_date";

    private static ActivationRow row(java.sql.ResultSet rs, boolean full) throws java.sql.SQLException {
        return new ActivationRow(
                rs.getBytes("code_sha256"),
                rs.getString("iam_role"),
                rs.getString("default_instance_name"),
                rs.getInt("registration_limit"),
                full,
                rs.getTimestamp("expiration_date").toInstant());
    }

    /** As the database's {@code instance_patch_group}: the "Patch Group" tag, else "PatchGroup", else none. */
    static String patchGroup(List<Tag> tags) {
        String fallback = "";
        for (Tag tag : tags) {
            if (tag.key().equals("Patch Group")) {
                return tag.value();
            }
            if (tag.key().equals("PatchGroup")) {
                fallback = tag.value();
            }
        }
        return fallback;
    }

    private static ApiException invalidActivation() {
        return new ApiException.Invalid(
                "InvalidActivation",
                "The activation isn't valid. The activation might have been deleted, or the ActivationId and the"
                        + " ActivationCode don't match.");
    }

    private String newInstanceId() {
        byte[] bytes = new byte[9];
        random.nextBytes(bytes);
        return "mi-" + HexFormat.of().formatHex(bytes).substring(0, 17);
    }
}
