package dev.patchtide.server.windows;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.FilterKeys;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.windows.TaskMessages.DeregisterTargetFromMaintenanceWindowRequest;
import dev.patchtide.server.windows.TaskMessages.DeregisterTargetFromMaintenanceWindowResult;
import dev.patchtide.server.windows.TaskMessages.DescribeMaintenanceWindowTargetsResult;
import dev.patchtide.server.windows.TaskMessages.DescribeRequest;
import dev.patchtide.server.windows.TaskMessages.MaintenanceWindowTarget;
import dev.patchtide.server.windows.TaskMessages.RegisterTargetWithMaintenanceWindowRequest;
import dev.patchtide.server.windows.TaskMessages.RegisterTargetWithMaintenanceWindowResult;
import dev.patchtide.server.windows.TaskMessages.UpdateMaintenanceWindowTargetRequest;
import dev.patchtide.server.windows.TaskMessages.UpdateMaintenanceWindowTargetResult;
import dev.patchtide.server.windows.WindowMessages.Filter;
import dev.patchtide.server.windows.WindowMessages.Target;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** RegisterTargetWithMaintenanceWindow, UpdateMaintenanceWindowTarget, Deregister… and Describe…Targets. */
final class TargetApi {
    /** AWS's quota of targets per maintenance window. */
    static final int MAX_TARGETS = 100;

    private final Jdbi jdbi;
    private final InstantSource clock;

    TargetApi(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.RegisterTargetWithMaintenanceWindow",
                RegisterTargetWithMaintenanceWindowRequest.class,
                Access.adminOnly(),
                (q, who) -> register(q)));
        router.register(new Action<>(
                "AmazonSSM.UpdateMaintenanceWindowTarget",
                UpdateMaintenanceWindowTargetRequest.class,
                Access.adminOnly(),
                (q, who) -> update(q)));
        router.register(new Action<>(
                "AmazonSSM.DeregisterTargetFromMaintenanceWindow",
                DeregisterTargetFromMaintenanceWindowRequest.class,
                Access.adminOnly(),
                (q, who) -> deregister(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindowTargets",
                DescribeRequest.class,
                Access.adminOnly(),
                (q, who) -> describe(q)));
    }

    /** The target keys a window target may use (resource groups are not supported here). */
    static void checkTargets(List<Target> targets) {
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            String key = t.key();
            boolean ok =
                    key.equals("InstanceIds") || key.equals("tag-key") || (key.startsWith("tag:") && key.length() > 4);
            if (!ok) {
                throw ApiException.validation("1 validation error detected: Value '" + Validation.clip(key) + "' at"
                        + " 'targets." + (i + 1) + ".member.key' failed to satisfy constraint: Member must be"
                        + " InstanceIds, tag:<key> or tag-key");
            }
            if (t.values() == null || t.values().isEmpty()) {
                throw ApiException.validation("1 validation error detected: Value at 'targets." + (i + 1)
                        + ".member.values' failed to satisfy constraint: Member must name at least one value");
            }
        }
    }

    private static String write(List<Target> targets) {
        try {
            return ApiJson.mapper().writeValueAsString(targets);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private RegisterTargetWithMaintenanceWindowResult register(RegisterTargetWithMaintenanceWindowRequest q) {
        if (q.resourceType().equals("RESOURCE_GROUP")) {
            throw ApiException.validation("1 validation error detected: Value 'RESOURCE_GROUP' at 'resourceType'"
                    + " failed to satisfy constraint: Patchtide has no resource groups; use INSTANCE");
        }
        if (q.targets().isEmpty()) {
            throw ApiException.validation("1 validation error detected: Value at 'targets' failed to satisfy"
                    + " constraint: Member must have length greater than or equal to 1");
        }
        checkTargets(q.targets());
        String id = jdbi.inTransaction(h -> {
            WindowRow.require(h, q.windowId(), true);
            if (q.clientToken() != null) {
                Optional<MaintenanceWindowTarget> earlier = query(h, "client_token = :v", q.clientToken());
                if (earlier.isPresent()) {
                    MaintenanceWindowTarget t = earlier.get();
                    if (!t.windowId().equals(q.windowId()) || !t.targets().equals(q.targets())) {
                        throw new ApiException.Conflict(
                                "IdempotentParameterMismatch",
                                "ClientToken " + Validation.clip(q.clientToken())
                                        + " was used before with different parameters.");
                    }
                    return t.windowTargetId();
                }
            }
            int count = h.createQuery("SELECT count(*) FROM maintenance_window_targets WHERE window_id = :w")
                    .bind("w", q.windowId())
                    .mapTo(Integer.class)
                    .one();
            if (count >= MAX_TARGETS) {
                throw new ApiException.LimitExceeded(
                        "ResourceLimitExceededException",
                        "A maintenance window can have at most " + MAX_TARGETS + " registered targets.");
            }
            String targetId = UUID.randomUUID().toString();
            h.createUpdate("INSERT INTO maintenance_window_targets (window_target_id, window_id, resource_type,"
                            + " targets, owner_information, name, description, client_token, created_at) VALUES"
                            + " (:id::uuid, :w, :type, :targets::jsonb, :owner, :name, :description, :token, :now)")
                    .bind("id", targetId)
                    .bind("w", q.windowId())
                    .bind("type", q.resourceType())
                    .bind("targets", write(q.targets()))
                    .bind("owner", q.ownerInformation())
                    .bind("name", q.name())
                    .bind("description", q.description())
                    .bind("token", q.clientToken())
                    .bind("now", clock.instant())
                    .execute();
            return targetId;
        });
        return new RegisterTargetWithMaintenanceWindowResult(id);
    }

    static Optional<MaintenanceWindowTarget> query(Handle h, String where, String value) {
        return list(h, where, value).stream().findFirst();
    }

    static List<MaintenanceWindowTarget> list(Handle h, String where, String value) {
        return h.createQuery("SELECT window_id, window_target_id::text AS id, resource_type, targets::text AS targets,"
                        + " owner_information, name, description FROM maintenance_window_targets WHERE " + where
                        + " ORDER BY created_at, window_target_id")
                .bind("v", value)
                .map((rs, ctx) -> new MaintenanceWindowTarget(
                        rs.getString("window_id"),
                        rs.getString("id"),
                        rs.getString("resource_type"),
                        TaskTargets.read(rs.getString("targets")),
                        rs.getString("owner_information"),
                        rs.getString("name"),
                        rs.getString("description")))
                .list();
    }

    private MaintenanceWindowTarget require(Handle h, String windowId, String targetId) {
        return query(h, "window_target_id::text = lower(:v)", targetId)
                .filter(t -> t.windowId().equals(windowId))
                .orElseThrow(() -> WindowRow.notFound("Target " + targetId + " of maintenance window " + windowId));
    }

    private UpdateMaintenanceWindowTargetResult update(UpdateMaintenanceWindowTargetRequest q) {
        boolean replace = Boolean.TRUE.equals(q.replace());
        if (q.targets() != null) {
            checkTargets(q.targets());
        }
        return jdbi.inTransaction(h -> {
            WindowRow.require(h, q.windowId(), true);
            MaintenanceWindowTarget t = require(h, q.windowId(), q.windowTargetId());
            if (replace && (q.targets() == null || q.targets().isEmpty())) {
                throw ApiException.validation("1 validation error detected: Value null at 'targets' failed to satisfy"
                        + " constraint: Member must not be null when Replace is true");
            }
            List<Target> targets = q.targets() != null ? q.targets() : t.targets();
            String owner = pick(q.ownerInformation(), t.ownerInformation(), replace);
            String name = pick(q.name(), t.name(), replace);
            String description = pick(q.description(), t.description(), replace);
            h.createUpdate(
                            "UPDATE maintenance_window_targets SET targets = :targets::jsonb, owner_information = :owner,"
                                    + " name = :name, description = :description WHERE window_target_id = :id::uuid")
                    .bind("targets", write(targets))
                    .bind("owner", owner)
                    .bind("name", name)
                    .bind("description", description)
                    .bind("id", t.windowTargetId())
                    .execute();
            return new UpdateMaintenanceWindowTargetResult(
                    q.windowId(), t.windowTargetId(), targets, owner, name, description);
        });
    }

    private static <T> T pick(T given, T current, boolean replace) {
        return given != null || replace ? given : current;
    }

    private DeregisterTargetFromMaintenanceWindowResult deregister(DeregisterTargetFromMaintenanceWindowRequest q) {
        jdbi.useTransaction(h -> {
            WindowRow.require(h, q.windowId(), true);
            MaintenanceWindowTarget t = require(h, q.windowId(), q.windowTargetId());
            if (Boolean.TRUE.equals(q.safe())) {
                List<String> using = h.createQuery("SELECT window_task_id::text FROM maintenance_window_tasks"
                                + " WHERE window_id = :w AND definition -> 'Targets' @> :ref::jsonb")
                        .bind("w", q.windowId())
                        .bind("ref", "[{\"Key\": \"WindowTargetIds\", \"Values\": [\"" + t.windowTargetId() + "\"]}]")
                        .mapTo(String.class)
                        .list();
                if (!using.isEmpty()) {
                    throw new ApiException.Conflict(
                            "TargetInUseException",
                            "Target " + t.windowTargetId() + " is used by task(s) " + String.join(", ", using)
                                    + "; deregister them first or call again without Safe.");
                }
            }
            h.createUpdate("DELETE FROM maintenance_window_targets WHERE window_target_id = :id::uuid")
                    .bind("id", t.windowTargetId())
                    .execute();
        });
        return new DeregisterTargetFromMaintenanceWindowResult(
                q.windowId(), q.windowTargetId().toLowerCase());
    }

    private DescribeMaintenanceWindowTargetsResult describe(DescribeRequest q) {
        Predicate<MaintenanceWindowTarget> keep = t -> true;
        FilterKeys once = new FilterKeys("ValidationException");
        for (Filter f : q.filters() == null ? List.<Filter>of() : q.filters()) {
            once.once(f.key());
            List<String> values = f.values() == null ? List.of() : f.values();
            Predicate<MaintenanceWindowTarget> p =
                    switch (f.key()) {
                        case "Type" -> t -> values.contains(t.resourceType());
                        case "WindowTargetId" -> t -> values.contains(t.windowTargetId());
                        case "OwnerInformation" -> t -> values.contains(Objects.toString(t.ownerInformation(), ""));
                        default ->
                            throw ApiException.validation("The filter key " + Validation.clip(f.key())
                                    + " isn't valid; valid keys are Type, WindowTargetId and OwnerInformation.");
                    };
            keep = keep.and(p);
        }
        Predicate<MaintenanceWindowTarget> filter = keep;
        List<MaintenanceWindowTarget> all = jdbi.withHandle(h -> {
            WindowRow.require(h, q.windowId(), false);
            return list(h, "window_id = :v", q.windowId());
        });
        Page<MaintenanceWindowTarget> page = Page.of(
                all.stream().filter(filter).toList(),
                MaintenanceWindowTarget::windowTargetId,
                "window-targets",
                q.maxResults(),
                q.nextToken());
        return new DescribeMaintenanceWindowTargetsResult(page.items(), page.nextToken());
    }

    /** One page of a list sorted by a stable key, with a NextToken naming the last key. */
    record Page<T>(List<T> items, String nextToken) {
        static <T> Page<T> of(
                List<T> all, java.util.function.Function<T, String> key, String listing, Integer max, String token) {
            int limit = max == null ? 50 : max;
            Optional<String> after = PageToken.decode(listing, token);
            int from = 0;
            if (after.isPresent()) {
                while (from < all.size() && !key.apply(all.get(from)).equals(after.get())) {
                    from++;
                }
                from++;
            }
            List<T> items = all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size()));
            String next = from + limit < all.size()
                    ? PageToken.encode(listing, key.apply(items.get(items.size() - 1)))
                    : null;
            return new Page<>(items, next);
        }
    }
}
