package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.PgArrays;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Writes a group of registrations in the caller's transaction with a fixed handful of statements, whatever the
 * group's size: the activations locked and read once, every refusal decided before anything is written (so a
 * refused registration leaves nothing behind and does not fail the others), then one multi-row statement each for
 * the counts, the instances, their inherited tags, their events and their keys.
 *
 * <p>Counting stays exact across nodes: the activations' rows are locked ({@code FOR NO KEY UPDATE}, the lock the
 * count's UPDATE takes anyway, which leaves other instances' foreign-key checks alone; in id order so two groups
 * never wait on each other in a circle) before their counts are read, so a group on another node waits for this
 * one's commit and then reads the count it left.
 */
final class RegistrationWriter {
    private final AccessKeyStore keys;
    private final TagStore tags;
    private final FleetEventSink events;
    private final SecureRandom random = new SecureRandom();

    RegistrationWriter(AccessKeyStore keys, TagStore tags, FleetEventSink events) {
        this.keys = keys;
        this.tags = tags;
        this.events = events;
    }

    /** One caller's registration. */
    record Attempt(UUID activationId, String activationCode, Instant now) {}

    record Registered(String instanceId, AccessKeyStore.IssuedKey key) {}

    private record ActivationRow(
            byte[] codeDigest, String iamRole, String name, int limit, int count, Instant expires) {}

    private record Admitted(String instanceId, UUID activationId, ActivationRow activation, Instant now) {}

    /** For every key: its {@link Registered}, or the {@link ApiException} that refuses it alone. */
    <K> Map<K, Object> write(Handle handle, Map<K, Attempt> group) {
        Map<UUID, ActivationRow> activations = lock(handle, group);
        Map<UUID, Integer> spent = new HashMap<>();
        Map<K, Object> outcomes = new LinkedHashMap<>();
        Map<K, Admitted> admitted = new LinkedHashMap<>();
        for (Map.Entry<K, Attempt> e : group.entrySet()) {
            Attempt attempt = e.getValue();
            ActivationRow activation = activations.get(attempt.activationId());
            int used = spent.getOrDefault(attempt.activationId(), 0);
            ApiException refusal = refusal(attempt, activation, used);
            if (refusal != null) {
                outcomes.put(e.getKey(), refusal);
            } else {
                spent.put(attempt.activationId(), used + 1);
                admitted.put(
                        e.getKey(), new Admitted(newInstanceId(), attempt.activationId(), activation, attempt.now()));
            }
        }
        if (admitted.isEmpty()) {
            return outcomes;
        }
        count(handle, spent);
        List<Admitted> rows = List.copyOf(admitted.values());
        Map<String, List<Tag>> inherited = tags.forResources(
                handle,
                ActivationStore.RESOURCE_TYPE,
                spent.keySet().stream().map(UUID::toString).toList());
        insertInstances(handle, rows, inherited);
        Map<String, List<Tag>> instanceTags = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>(rows.size());
        List<Instant> times = new ArrayList<>(rows.size());
        for (Admitted a : rows) {
            instanceTags.put(
                    a.instanceId(), inherited.getOrDefault(a.activationId().toString(), List.of()));
            names.put(a.instanceId(), a.activation().name());
            ids.add(a.instanceId());
            times.add(a.now());
        }
        tags.putDistinctAll(handle, InstanceStore.RESOURCE_TYPE, instanceTags);
        events.instancesRegistered(handle, names);
        List<AccessKeyStore.IssuedKey> issued = keys.createInstanceKeys(handle, ids, times);
        int i = 0;
        for (Map.Entry<K, Admitted> e : admitted.entrySet()) {
            outcomes.put(e.getKey(), new Registered(e.getValue().instanceId(), issued.get(i++)));
        }
        return outcomes;
    }

    /** The group's live activations, locked, by id; a missing one is absent. */
    private static Map<UUID, ActivationRow> lock(Handle handle, Map<?, Attempt> group) {
        TreeSet<UUID> ids = new TreeSet<>();
        group.values().forEach(a -> ids.add(a.activationId()));
        Map<UUID, ActivationRow> rows = new HashMap<>();
        handle.createQuery("SELECT activation_id, code_sha256, iam_role, default_instance_name, registration_limit,"
                        + " registrations_count, expiration_date FROM activations"
                        + " WHERE activation_id = ANY(:ids) AND deleted_at IS NULL ORDER BY activation_id"
                        + " FOR NO KEY UPDATE")
                .bindArray("ids", UUID.class, ids.toArray())
                .map((rs, ctx) -> Map.entry(rs.getObject("activation_id", UUID.class), row(rs)))
                .forEach(e -> rows.put(e.getKey(), e.getValue()));
        return rows;
    }

    /** Today's refusals in today's order: unknown or wrong code, expired, full (counting those admitted before). */
    private static ApiException refusal(Attempt attempt, ActivationRow activation, int spentInGroup) {
        if (activation == null
                || !MessageDigest.isEqual(activation.codeDigest(), ActivationStore.digest(attempt.activationCode()))) {
            return invalidActivation();
        }
        if (!activation.expires().isAfter(attempt.now())) {
            return new ApiException.Invalid(
                    "InvalidActivation",
                    "Activation " + attempt.activationId() + " expired at " + activation.expires() + ".");
        }
        if (activation.count() + spentInGroup >= activation.limit()) {
            return new ApiException.Invalid(
                    "InvalidActivation",
                    "Activation " + attempt.activationId() + " has reached its registration limit of "
                            + activation.limit() + ".");
        }
        return null;
    }

    private static void count(Handle handle, Map<UUID, Integer> spent) {
        UUID[] ids = spent.keySet().toArray(UUID[]::new);
        Integer[] counts = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            counts[i] = spent.get(ids[i]);
        }
        handle.createUpdate("UPDATE activations a SET registrations_count = a.registrations_count + s.n"
                        + " FROM unnest(:ids, :counts) AS s(id, n) WHERE a.activation_id = s.id")
                .bindArray("ids", UUID.class, (Object[]) ids)
                .bindArray("counts", Integer.class, (Object[]) counts)
                .execute();
    }

    /** The instances with their patch group already set, so the tag trigger (V21, V35) finds nothing to change. */
    private static void insertInstances(Handle handle, List<Admitted> rows, Map<String, List<Tag>> inherited) {
        int n = rows.size();
        String[] ids = new String[n];
        UUID[] activations = new UUID[n];
        String[] roles = new String[n];
        String[] names = new String[n];
        String[] dates = new String[n];
        String[] groups = new String[n];
        for (int i = 0; i < n; i++) {
            Admitted a = rows.get(i);
            ids[i] = a.instanceId();
            activations[i] = a.activationId();
            roles[i] = a.activation().iamRole();
            names[i] = a.activation().name();
            dates[i] = a.now().toString();
            groups[i] = InstanceRegistration.patchGroup(
                    inherited.getOrDefault(a.activationId().toString(), List.of()));
        }
        handle.createUpdate("INSERT INTO managed_instances (instance_id, activation_id, iam_role, name,"
                        + " registration_date, patch_group)"
                        + " SELECT * FROM unnest(CAST(:ids AS text[]), :activations, CAST(:roles AS text[]),"
                        + " CAST(:names AS text[]), CAST(:dates AS timestamptz[]), CAST(:groups AS text[]))")
                .bind("ids", PgArrays.texts(ids))
                .bindArray("activations", UUID.class, (Object[]) activations)
                .bind("roles", PgArrays.texts(roles))
                .bind("names", PgArrays.texts(names))
                .bind("dates", PgArrays.texts(dates))
                .bind("groups", PgArrays.texts(groups))
                .execute();
    }

    private static ActivationRow row(ResultSet rs) throws SQLException {
        return new ActivationRow(
                rs.getBytes("code_sha256"),
                rs.getString("iam_role"),
                rs.getString("default_instance_name"),
                rs.getInt("registration_limit"),
                rs.getInt("registrations_count"),
                rs.getTimestamp("expiration_date").toInstant());
    }

    static ApiException invalidActivation() {
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
