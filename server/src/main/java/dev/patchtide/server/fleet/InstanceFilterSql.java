package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.FilterKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.statement.Query;

/**
 * Turns DescribeInstanceInformation's two filter styles into SQL conditions over {@code managed_instances i}.
 * Within a filter the values are alternatives; filters combine with AND, as in SSM.
 */
final class InstanceFilterSql {
    private static final Map<String, String> COLUMNS = Map.of(
            "InstanceIds", "i.instance_id",
            "AgentVersion", "i.agent_version",
            "PingStatus", PingStatusPolicy.STATUS_SQL,
            "PlatformTypes", "i.platform_type",
            "ActivationIds", "i.activation_id::text",
            "IamRole", "i.iam_role",
            "ResourceType", "'ManagedInstance'",
            // No associations exist yet, so no instance has an association status to match.
            "AssociationStatus", "NULL::text");

    private static final Map<String, Set<String>> ALLOWED_VALUES = Map.of(
            "PingStatus", Set.of("Online", "ConnectionLost", "Inactive"),
            "PlatformTypes", InstanceMessages.PLATFORM_TYPES,
            "ResourceType", Set.of("ManagedInstance", "EC2Instance"));

    private final List<String> conditions = new ArrayList<>();
    private final List<Map.Entry<String, List<String>>> arrays = new ArrayList<>();
    private final FilterKeys keys = new FilterKeys("InvalidFilterKey");
    private TagDriver driver;

    /** A filter from either list; tag keys are allowed only in the string-filter list. */
    void add(String key, List<String> values, boolean tagsAllowed) {
        keys.once(key);
        String param = "f" + arrays.size();
        boolean tag = tagsAllowed && key.startsWith("tag:") && key.length() > 4;
        if (tag && driver == null && values != null) {
            // The first tag filter with a value to match leads; any other stays a condition below.
            driver = TagDriver.of(key.substring(4), values).orElse(null);
            if (driver != null) {
                return;
            }
        }
        if (tag) {
            String keyParam = param + "k";
            conditions.add("EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_type = 'ManagedInstance'"
                    + " AND t.resource_id = i.instance_id AND t.tag_key = ANY(:" + keyParam
                    + ") AND t.tag_value = ANY(:"
                    + param + "))");
            arrays.add(Map.entry(keyParam, List.of(key.substring(4))));
        } else if (tagsAllowed && key.equals("tag-key")) {
            conditions.add("EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_type = 'ManagedInstance'"
                    + " AND t.resource_id = i.instance_id AND t.tag_key = ANY(:" + param + "))");
        } else if (COLUMNS.containsKey(key)) {
            checkValues(key, values);
            conditions.add(COLUMNS.get(key) + " = ANY(:" + param + ")");
        } else {
            throw new ApiException.Invalid("InvalidFilterKey", "The filter key " + key + " isn't valid.");
        }
        arrays.add(Map.entry(param, values));
    }

    /**
     * The rows to list: {@code managed_instances i}, or with a tag filter, that tag's rows joined to it (so a page
     * reads its own instances in id order from the tag index, not the whole fleet to find them).
     */
    String from() {
        return driver == null ? "managed_instances i" : driver.from();
    }

    /** The conditions after {@code WHERE}'s first; {@code :after} is the NextToken's instance id. */
    String where() {
        String own = conditions.isEmpty() ? "" : " AND " + String.join(" AND ", conditions);
        return driver == null ? own : " AND " + TagDriver.AFTER + own;
    }

    /** Binds every parameter: the filters' text arrays (a tag filter's key is an array of one), the tag's. */
    void bind(Query query) {
        arrays.forEach(e -> query.bindArray(e.getKey(), String.class, e.getValue()));
        if (driver != null) {
            driver.bind(query);
        }
    }

    private static void checkValues(String key, List<String> values) {
        if (key.equals("InstanceIds")) {
            for (String id : values) {
                if (id == null || !InstanceMessages.ANY_INSTANCE_ID.matcher(id).matches()) {
                    throw new ApiException.NotFound("InvalidInstanceId", "Instance Id " + id + " isn't valid.");
                }
            }
        }
        Set<String> allowed = ALLOWED_VALUES.get(key);
        if (allowed != null) {
            for (String value : values) {
                if (!allowed.contains(value)) {
                    throw new ApiException.Invalid(
                            "InvalidInstanceInformationFilterValue",
                            "The filter value " + value + " isn't valid for " + key + "; valid values: " + allowed);
                }
            }
        }
    }
}
