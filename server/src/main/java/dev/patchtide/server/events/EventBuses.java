package dev.patchtide.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.events.BusMessages.CreateEventBusRequest;
import dev.patchtide.server.events.BusMessages.CreateEventBusResponse;
import dev.patchtide.server.events.BusMessages.DeadLetterConfig;
import dev.patchtide.server.events.BusMessages.DescribeEventBusResponse;
import dev.patchtide.server.events.BusMessages.EventBus;
import dev.patchtide.server.events.BusMessages.ListEventBusesRequest;
import dev.patchtide.server.events.BusMessages.ListEventBusesResponse;
import dev.patchtide.server.events.BusMessages.LogConfig;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/** CreateEventBus, DeleteEventBus, DescribeEventBus, ListEventBuses. The {@code default} bus always exists. */
final class EventBuses {
    static final String DEFAULT = "default";

    private final Jdbi jdbi;
    private final ObjectMapper json;
    private final EventsArns arns;

    EventBuses(Jdbi jdbi, ObjectMapper json, EventsArns arns) {
        this.jdbi = jdbi;
        this.json = json;
        this.arns = arns;
    }

    CreateEventBusResponse create(CreateEventBusRequest q, Instant now) {
        if (q.name().equals(DEFAULT) || q.name().startsWith("aws.")) {
            throw ApiException.validation("Event bus name " + q.name() + " is reserved.");
        }
        if (q.name().contains("/") && q.eventSourceName() == null) {
            throw ApiException.validation("Event bus name must not contain '/' unless it is a partner event bus.");
        }
        return jdbi.inTransaction(h -> {
            int inserted = h.createUpdate("INSERT INTO event_buses (name, description, kms_key, dead_letter_arn,"
                            + " log_config, tags, created_at, modified_at) VALUES (:name, :description, :kms, :dlq,"
                            + " CAST(:log AS jsonb), CAST(:tags AS jsonb), :now, :now) ON CONFLICT DO NOTHING")
                    .bind("name", q.name())
                    .bind("description", Objects.requireNonNullElse(q.description(), ""))
                    .bind("kms", q.kmsKeyIdentifier())
                    .bind(
                            "dlq",
                            q.deadLetterConfig() == null
                                    ? null
                                    : q.deadLetterConfig().arn())
                    .bind("log", q.logConfig() == null ? null : write(q.logConfig()))
                    .bind("tags", write(q.tags() == null ? List.of() : q.tags()))
                    .bind("now", now)
                    .execute();
            if (inserted == 0) {
                throw new ApiException.Conflict(
                        "ResourceAlreadyExistsException", "Event bus " + q.name() + " already exists.");
            }
            return new CreateEventBusResponse(
                    arns.bus(q.name()), q.description(), q.kmsKeyIdentifier(), q.deadLetterConfig(), q.logConfig());
        });
    }

    /** As AWS, deleting a bus that does not exist succeeds; the default bus cannot be deleted. */
    void delete(String name) {
        if (name.equals(DEFAULT)) {
            throw ApiException.validation("Cannot delete event bus default.");
        }
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM event_buses WHERE name = :name")
                    .bind("name", name)
                    .execute();
        });
    }

    DescribeEventBusResponse describe(String nameOrArn) {
        String name = EventsArns.busName(nameOrArn);
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM event_buses WHERE name = :name")
                        .bind("name", name)
                        .map((rs, ctx) -> new DescribeEventBusResponse(
                                name,
                                arns.bus(name),
                                emptyToNull(rs.getString("description")),
                                rs.getString("kms_key"),
                                rs.getString("dead_letter_arn") == null
                                        ? null
                                        : new DeadLetterConfig(rs.getString("dead_letter_arn")),
                                null,
                                logConfig(rs),
                                rs.getTimestamp("created_at").toInstant(),
                                rs.getTimestamp("modified_at").toInstant()))
                        .findOne())
                .orElseThrow(() -> notFound(name));
    }

    ListEventBusesResponse list(ListEventBusesRequest q) {
        int limit = Objects.requireNonNullElse(q.limit(), 100);
        String after = PageToken.decode("event-buses", q.nextToken()).orElse("");
        String prefix = Objects.requireNonNullElse(q.namePrefix(), "");
        List<EventBus> page = jdbi.withHandle(h -> h.createQuery("SELECT * FROM event_buses WHERE name > :after"
                        + " AND starts_with(name, :prefix) ORDER BY name LIMIT :limit")
                .bind("after", after)
                .bind("prefix", prefix)
                .bind("limit", limit + 1)
                .map((rs, ctx) -> new EventBus(
                        rs.getString("name"),
                        arns.bus(rs.getString("name")),
                        emptyToNull(rs.getString("description")),
                        null,
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("modified_at").toInstant()))
                .list());
        if (page.size() <= limit) {
            return new ListEventBusesResponse(page, null);
        }
        List<EventBus> shown = page.subList(0, limit);
        return new ListEventBusesResponse(
                shown, PageToken.encode("event-buses", shown.getLast().name()));
    }

    static ApiException notFound(String bus) {
        return new ApiException.NotFound("ResourceNotFoundException", "Event bus " + bus + " does not exist.");
    }

    private LogConfig logConfig(ResultSet rs) throws SQLException {
        String text = rs.getString("log_config");
        try {
            return text == null ? null : json.readValue(text, LogConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable log config", e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
