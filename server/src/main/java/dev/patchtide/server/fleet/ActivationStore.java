package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.FilterKeys;
import dev.patchtide.server.fleet.ActivationMessages.Activation;
import dev.patchtide.server.fleet.ActivationMessages.DescribeActivationsFilter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** Hybrid activations: created by operators, spent by agents registering. */
final class ActivationStore {
    private static final char[] CODE_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    static final String RESOURCE_TYPE = "Activation";

    private final Jdbi jdbi;
    private final TagStore tags;
    private final SecureRandom random = new SecureRandom();

    ActivationStore(Jdbi jdbi, TagStore tags) {
        this.jdbi = jdbi;
        this.tags = tags;
    }

    record NewActivation(
            String description,
            String defaultInstanceName,
            String iamRole,
            int registrationLimit,
            Instant expirationDate,
            List<Tag> tags) {}

    record Created(UUID activationId, String activationCode) {}

    Created create(NewActivation activation, Instant now) {
        UUID id = UUID.randomUUID();
        String code = newCode();
        jdbi.useTransaction(handle -> {
            handle.createUpdate("INSERT INTO activations (activation_id, code_sha256, description,"
                            + " default_instance_name, iam_role, registration_limit, expiration_date, created_date)"
                            + " VALUES (:id, :digest, :description, :name, :role, :limit, :expires, :now)")
                    .bind("id", id)
                    .bind("digest", digest(code))
                    .bind("description", activation.description())
                    .bind("name", activation.defaultInstanceName())
                    .bind("role", activation.iamRole())
                    .bind("limit", activation.registrationLimit())
                    .bind("expires", activation.expirationDate())
                    .bind("now", now)
                    .execute();
            tags.put(handle, RESOURCE_TYPE, id.toString(), activation.tags());
        });
        return new Created(id, code);
    }

    /** One page of live (not deleted) activations, ordered by id, after {@code afterId}. */
    List<Activation> list(List<DescribeActivationsFilter> filters, String afterId, int limit, Instant now) {
        StringBuilder sql = new StringBuilder(
                "SELECT * FROM activations WHERE deleted_at IS NULL" + " AND activation_id::text > :after");
        FilterKeys keys = new FilterKeys("InvalidFilter");
        for (int i = 0; i < filters.size(); i++) {
            keys.once(filters.get(i).filterKey());
            String column =
                    switch (filters.get(i).filterKey()) {
                        case "ActivationIds" -> "activation_id::text";
                        case "DefaultInstanceName" -> "default_instance_name";
                        case "IamRole" -> "iam_role";
                        default ->
                            throw new ApiException.Invalid(
                                    "InvalidFilter",
                                    "Invalid filter key: " + filters.get(i).filterKey());
                    };
            sql.append(" AND ")
                    .append(column)
                    .append(" = ANY(:values")
                    .append(i)
                    .append(")");
        }
        sql.append(" ORDER BY activation_id::text LIMIT :limit");
        return jdbi.withHandle(handle -> {
            Query query =
                    handle.createQuery(sql.toString()).bind("after", afterId).bind("limit", limit);
            for (int i = 0; i < filters.size(); i++) {
                List<String> values = filters.get(i).filterValues() == null
                        ? List.of()
                        : filters.get(i).filterValues();
                query.bindArray("values" + i, String.class, values);
            }
            List<Activation> page = query.map((rs, ctx) -> new Activation(
                            rs.getString("activation_id"),
                            rs.getString("description"),
                            rs.getString("default_instance_name"),
                            rs.getString("iam_role"),
                            rs.getInt("registration_limit"),
                            rs.getInt("registrations_count"),
                            rs.getTimestamp("expiration_date").toInstant(),
                            !rs.getTimestamp("expiration_date").toInstant().isAfter(now),
                            rs.getTimestamp("created_date").toInstant(),
                            List.of()))
                    .list();
            Map<String, List<Tag>> tagsById = tags.forResources(
                    handle,
                    RESOURCE_TYPE,
                    page.stream().map(Activation::activationId).toList());
            List<Activation> withTags = new ArrayList<>(page.size());
            for (Activation a : page) {
                withTags.add(new Activation(
                        a.activationId(),
                        a.description(),
                        a.defaultInstanceName(),
                        a.iamRole(),
                        a.registrationLimit(),
                        a.registrationsCount(),
                        a.expirationDate(),
                        a.expired(),
                        a.createdDate(),
                        tagsById.getOrDefault(a.activationId(), List.of())));
            }
            return withTags;
        });
    }

    /** Deleting stops further registrations; instances registered with it stay, as in SSM. */
    void delete(UUID activationId, Instant now) {
        int deleted = jdbi.withHandle(handle -> handle.createUpdate(
                        "UPDATE activations SET deleted_at = :now WHERE activation_id = :id AND deleted_at IS NULL")
                .bind("id", activationId)
                .bind("now", now)
                .execute());
        if (deleted == 0) {
            throw new ApiException.NotFound(
                    "InvalidActivationId", "The activation ID " + activationId + " isn't valid.");
        }
    }

    static byte[] digest(String code) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(code.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private String newCode() {
        return random.ints(20, 0, CODE_ALPHABET.length)
                .mapToObj(i -> String.valueOf(CODE_ALPHABET[i]))
                .collect(Collectors.joining());
    }
}
