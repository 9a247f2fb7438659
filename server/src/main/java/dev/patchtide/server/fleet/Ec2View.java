package dev.patchtide.server.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The fleet seen through EC2's {@code DescribeInstances}, {@code DescribeTags} and {@code CreateTags}, so that
 * workflows written for AWS ({@code arn:aws:states:::aws-sdk:ec2:describeInstances}) run against managed
 * instances unchanged. Requests and answers use the SDK's member names ({@code InstanceIds}, {@code Filters},
 * {@code Reservations[].Instances[]}). A managed instance is {@code running} while its agent is Online and
 * {@code stopped} once the connection is lost; deregistered instances are not listed.
 */
public final class Ec2View {
    /** The tag resource type of managed instances, as SSM's tagging actions name it. */
    static final String RESOURCE_TYPE = "ManagedInstance";

    private static final int MAX_IDS = 1000;
    private static final int MAX_FILTERS = 50;
    private static final Pattern INSTANCE_ID = Pattern.compile("^mi-[0-9a-f]{17}$");
    private static final Set<String> INSTANCE_FILTERS =
            Set.of("instance-id", "instance-state-name", "instance-state-code", "tag-key", "private-ip-address");
    private static final Set<String> TAG_FILTERS = Set.of("resource-id", "resource-type", "key", "value");

    private final Jdbi jdbi;
    private final PingStatusPolicy pingPolicy;
    private final InstantSource clock;
    private final ObjectMapper json;
    private final TagStore tags = new TagStore();

    public Ec2View(Jdbi jdbi, PingStatusPolicy pingPolicy, InstantSource clock, ObjectMapper json) {
        this.jdbi = jdbi;
        this.pingPolicy = pingPolicy;
        this.clock = clock;
        this.json = json;
    }

    private record Instance(String id, String ip, String computerName, boolean online, String platform) {}

    private record Filter(String name, List<String> values) {}

    /** {@code DescribeInstances}: every matching instance in one reservation, with its tags and state. */
    public ObjectNode describeInstances(JsonNode request) {
        List<String> ids = strings(request, "InstanceIds", MAX_IDS);
        ids.forEach(Ec2View::checkInstanceId);
        List<Filter> filters = filters(request, INSTANCE_FILTERS);
        return jdbi.withHandle(handle -> {
            List<Instance> instances = instances(handle, ids);
            Map<String, List<Tag>> tagsById = tags.forResources(
                    handle, RESOURCE_TYPE, instances.stream().map(Instance::id).toList());
            ArrayNode listed = json.createArrayNode();
            for (Instance instance : instances) {
                List<Tag> own = tagsById.getOrDefault(instance.id(), List.of());
                if (filters.stream().allMatch(f -> matches(f, instance, own))) {
                    listed.add(instanceNode(instance, own));
                }
            }
            ObjectNode answer = json.createObjectNode();
            ArrayNode reservations = answer.putArray("Reservations");
            if (!listed.isEmpty()) {
                ObjectNode reservation = reservations.addObject();
                reservation.put("ReservationId", "r-" + "0".repeat(17));
                reservation.set("Instances", listed);
            }
            return answer;
        });
    }

    /** {@code DescribeTags} over managed instances. */
    public ObjectNode describeTags(JsonNode request) {
        List<Filter> filters = filters(request, TAG_FILTERS);
        return jdbi.withHandle(handle -> {
            List<Map<String, String>> rows = handle.createQuery("SELECT t.resource_id, t.tag_key, t.tag_value"
                            + " FROM resource_tags t JOIN managed_instances i ON i.instance_id = t.resource_id"
                            + " WHERE t.resource_type = :type AND i.deregistered_at IS NULL"
                            + " AND (cardinality(CAST(:ids AS text[])) = 0 OR t.resource_id = ANY(:ids))"
                            + " ORDER BY t.resource_id, t.tag_key")
                    .bind("type", RESOURCE_TYPE)
                    .bindArray("ids", String.class, filterValues(filters, "resource-id"))
                    .map((rs, ctx) -> Map.of(
                            "resource-id", rs.getString("resource_id"),
                            "resource-type", "instance",
                            "key", rs.getString("tag_key"),
                            "value", rs.getString("tag_value")))
                    .list();
            ObjectNode answer = json.createObjectNode();
            ArrayNode out = answer.putArray("Tags");
            for (Map<String, String> row : rows) {
                if (filters.stream().allMatch(f -> f.values().contains(row.get(f.name())))) {
                    out.addObject()
                            .put("Key", row.get("key"))
                            .put("ResourceId", row.get("resource-id"))
                            .put("ResourceType", "instance")
                            .put("Value", row.get("value"));
                }
            }
            return answer;
        });
    }

    /** {@code CreateTags}: adds or overwrites tags on managed instances, all or none. */
    public ObjectNode createTags(JsonNode request) {
        List<String> ids = strings(request, "Resources", MAX_IDS);
        if (ids.isEmpty()) {
            throw new ApiException.Invalid("MissingParameter", "The request must contain the parameter Resources.");
        }
        ids.forEach(Ec2View::checkInstanceId);
        List<Tag> toSet = new ArrayList<>();
        JsonNode given = request.path("Tags");
        if (!given.isArray() || given.isEmpty() || given.size() > 50) {
            throw new ApiException.Invalid("InvalidParameterValue", "Tags must hold between 1 and 50 tags.");
        }
        for (JsonNode tag : given) {
            String key = tag.path("Key").asText("");
            if (key.isEmpty() || key.length() > 128 || key.startsWith("aws:")) {
                throw new ApiException.Invalid(
                        "InvalidParameterValue", "Tag keys must be 1 to 128 characters and not start with aws:.");
            }
            String value = tag.path("Value").asText("");
            if (value.length() > 256) {
                throw new ApiException.Invalid("InvalidParameterValue", "Tag values must be at most 256 characters.");
            }
            toSet.add(new Tag(key, value));
        }
        jdbi.useTransaction(handle -> {
            instances(handle, ids); // refuses the whole request if one id is not a managed instance
            for (String id : ids) {
                tags.put(handle, RESOURCE_TYPE, id, toSet);
            }
        });
        return json.createObjectNode();
    }

    private List<Instance> instances(Handle handle, List<String> ids) {
        List<Instance> found = handle.createQuery("SELECT i.instance_id, i.ip_address, i.computer_name,"
                        + " i.platform_name, " + PingStatusPolicy.STATUS_SQL + " AS ping"
                        + " FROM managed_instances i WHERE i.deregistered_at IS NULL"
                        + " AND (cardinality(CAST(:ids AS text[])) = 0 OR i.instance_id = ANY(:ids))"
                        + " ORDER BY i.instance_id")
                .bind("onlineSince", pingPolicy.onlineSince(clock.instant()))
                .bindArray("ids", String.class, ids)
                .map((rs, ctx) -> new Instance(
                        rs.getString("instance_id"),
                        rs.getString("ip_address"),
                        rs.getString("computer_name"),
                        "Online".equals(rs.getString("ping")),
                        rs.getString("platform_name")))
                .list();
        if (!ids.isEmpty() && found.size() != ids.stream().distinct().count()) {
            Set<String> known = Set.copyOf(found.stream().map(Instance::id).toList());
            throw notFound(
                    ids.stream().filter(id -> !known.contains(id)).findFirst().orElseThrow());
        }
        return found;
    }

    private ObjectNode instanceNode(Instance instance, List<Tag> own) {
        ObjectNode node = json.createObjectNode();
        node.put("InstanceId", instance.id());
        ObjectNode state = node.putObject("State");
        state.put("Code", stateCode(instance));
        state.put("Name", state(instance));
        if (instance.ip() != null) {
            node.put("PrivateIpAddress", instance.ip());
        }
        if (instance.computerName() != null) {
            node.put("PrivateDnsName", instance.computerName());
        }
        node.put("PlatformDetails", instance.platform() == null ? "Linux/UNIX" : instance.platform());
        ArrayNode tagNodes = node.putArray("Tags");
        own.forEach(t -> tagNodes.addObject().put("Key", t.key()).put("Value", t.value()));
        return node;
    }

    private static String state(Instance instance) {
        return instance.online() ? "running" : "stopped";
    }

    private static int stateCode(Instance instance) {
        return instance.online() ? 16 : 80;
    }

    private static boolean matches(Filter filter, Instance instance, List<Tag> own) {
        return switch (filter.name()) {
            case "instance-id" -> filter.values().contains(instance.id());
            case "instance-state-name" -> filter.values().contains(state(instance));
            case "instance-state-code" -> filter.values().contains(Integer.toString(stateCode(instance)));
            case "private-ip-address" -> filter.values().contains(instance.ip());
            case "tag-key" -> own.stream().anyMatch(t -> filter.values().contains(t.key()));
            default -> { // tag:<key>
                String key = filter.name().substring("tag:".length());
                yield own.stream()
                        .anyMatch(t -> t.key().equals(key) && filter.values().contains(t.value()));
            }
        };
    }

    /**
     * The values of the named filter, to narrow the query; empty (no narrowing) when the request has none or
     * gives it none (the filters applied after the query still decide).
     */
    private static List<String> filterValues(List<Filter> filters, String name) {
        return filters.stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .map(Filter::values)
                .orElse(List.of());
    }

    private static List<Filter> filters(JsonNode request, Set<String> known) {
        JsonNode given = request.path("Filters");
        if (given.isMissingNode() || given.isNull()) {
            return List.of();
        }
        if (!given.isArray() || given.size() > MAX_FILTERS) {
            throw new ApiException.Invalid(
                    "InvalidParameterValue", "Filters must be a list of at most " + MAX_FILTERS + " filters.");
        }
        Map<String, Filter> filters = new LinkedHashMap<>();
        for (JsonNode f : given) {
            String name = f.path("Name").asText("");
            boolean tagFilter = known == INSTANCE_FILTERS && name.startsWith("tag:") && name.length() > 4;
            if (!known.contains(name) && !tagFilter) {
                throw new ApiException.Invalid(
                        "InvalidParameterValue", "The filter '" + abbreviate(name) + "' is invalid.");
            }
            filters.put(name, new Filter(name, strings(f, "Values", MAX_IDS)));
        }
        return List.copyOf(filters.values());
    }

    private static List<String> strings(JsonNode parent, String member, int max) {
        JsonNode list = parent.path(member);
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray() || list.size() > max) {
            throw new ApiException.Invalid(
                    "InvalidParameterValue", member + " must be a list of at most " + max + " strings.");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode v : list) {
            if (!v.isTextual() || v.asText().length() > 256) {
                throw new ApiException.Invalid(
                        "InvalidParameterValue", member + " must hold strings of at most 256 characters.");
            }
            values.add(v.asText());
        }
        return values;
    }

    private static void checkInstanceId(String id) {
        if (!INSTANCE_ID.matcher(id).matches()) {
            throw new ApiException.Invalid(
                    "InvalidInstanceID.Malformed", "Invalid id: \"" + abbreviate(id) + "\" (expecting \"mi-...\")");
        }
    }

    private static ApiException notFound(String id) {
        return new ApiException.NotFound("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
