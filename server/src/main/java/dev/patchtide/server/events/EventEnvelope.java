package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An event in EventBridge's envelope: {@code version} "0", {@code id}, {@code detail-type}, {@code source},
 * {@code account}, {@code time} (ISO 8601, whole seconds, UTC), {@code region}, {@code resources} and the
 * {@code detail} object.
 */
public record EventEnvelope(
        String id,
        String detailType,
        String source,
        String account,
        Instant time,
        String region,
        List<String> resources,
        ObjectNode detail) {
    static final ObjectMapper JSON = ApiJson.documents();

    public EventEnvelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(detailType, "detailType");
        Objects.requireNonNull(source, "source");
        time = time.truncatedTo(ChronoUnit.SECONDS);
        resources = List.copyOf(resources);
        detail = detail.deepCopy();
    }

    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("version", "0");
        node.put("id", id);
        node.put("detail-type", detailType);
        node.put("source", source);
        node.put("account", account);
        node.put("time", DateTimeFormatter.ISO_INSTANT.format(time));
        node.put("region", region);
        resources.forEach(node.putArray("resources")::add);
        if (resources.isEmpty()) {
            node.putArray("resources");
        }
        node.set("detail", detail);
        return node;
    }

    /** Reads an envelope stored or received as JSON; {@code replay-name} and unknown members are ignored. */
    static EventEnvelope fromJson(JsonNode node) {
        List<String> resources = new ArrayList<>();
        node.path("resources").forEach(r -> resources.add(r.asText()));
        JsonNode detail = node.path("detail");
        return new EventEnvelope(
                node.path("id").asText(),
                node.path("detail-type").asText(),
                node.path("source").asText(),
                node.path("account").asText(),
                Instant.parse(node.path("time").asText()),
                node.path("region").asText(),
                resources,
                detail instanceof ObjectNode o ? o : JSON.createObjectNode());
    }

    /** Starts an event with a fresh id; account, region and time are filled by {@link EventPublisher}. */
    public static Builder builder(String source, String detailType) {
        return new Builder(source, detailType);
    }

    public static final class Builder {
        private final String source;
        private final String detailType;
        private final List<String> resources = new ArrayList<>();
        private ObjectNode detail = JSON.createObjectNode();
        private String id = UUID.randomUUID().toString();

        private Builder(String source, String detailType) {
            this.source = source;
            this.detailType = detailType;
        }

        public Builder resource(String arn) {
            resources.add(arn);
            return this;
        }

        public Builder detail(ObjectNode value) {
            this.detail = value;
            return this;
        }

        /** The detail object to fill in place. */
        public ObjectNode detail() {
            return detail;
        }

        Builder id(String value) {
            this.id = value;
            return this;
        }

        public EventEnvelope build(String account, String region, Instant time) {
            return new EventEnvelope(id, detailType, source, account, time, region, resources, detail);
        }
    }
}
