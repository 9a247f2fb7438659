package dev.patchtide.server.events;

import static dev.patchtide.server.events.EventsApi.on;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.events.ArchiveMessages.CancelReplayResponse;
import dev.patchtide.server.events.ArchiveMessages.DescribeReplayResponse;
import dev.patchtide.server.events.ArchiveMessages.ListReplaysRequest;
import dev.patchtide.server.events.ArchiveMessages.ListReplaysResponse;
import dev.patchtide.server.events.ArchiveMessages.Replay;
import dev.patchtide.server.events.ArchiveMessages.ReplayDestination;
import dev.patchtide.server.events.ArchiveMessages.ReplayNameRequest;
import dev.patchtide.server.events.ArchiveMessages.StartReplayRequest;
import dev.patchtide.server.events.ArchiveMessages.StartReplayResponse;
import dev.patchtide.server.events.BusMachines.CompiledBus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * StartReplay, DescribeReplay, ListReplays, CancelReplay, and the background step that replays: a replay is
 * claimed with SKIP LOCKED, advanced a batch at a time with its progress saved in the same transaction as
 * the deliveries, so a crash neither loses nor repeats a replayed event.
 */
final class Replays {
    private static final int BATCH = 100;
    /** As a literal list, so the planner can use the partial index on active replays. */
    private static final String ACTIVE = java.util.Arrays.stream(ReplayState.values())
            .filter(ReplayState::active)
            .map(s -> "'" + s.name() + "'")
            .collect(java.util.stream.Collectors.joining(", ", "(", ")"));

    private final Jdbi jdbi;
    private final ObjectMapper json;
    private final EventsArns arns;
    private final BusMachines machines;
    private final EventRouter router;
    private final InstantSource clock;

    Replays(
            Jdbi jdbi,
            ObjectMapper json,
            EventsArns arns,
            BusMachines machines,
            EventRouter router,
            InstantSource clock) {
        this.jdbi = jdbi;
        this.json = json;
        this.arns = arns;
        this.machines = machines;
        this.router = router;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        on(router, "StartReplay", StartReplayRequest.class, this::start);
        on(router, "DescribeReplay", ReplayNameRequest.class, q -> describe(q.replayName()));
        on(router, "ListReplays", ListReplaysRequest.class, this::list);
        on(router, "CancelReplay", ReplayNameRequest.class, q -> cancel(q.replayName()));
    }

    private StartReplayResponse start(StartReplayRequest q) {
        String archive = arns.archiveName(q.eventSourceArn()).orElseThrow(() -> Archives.notFound(q.eventSourceArn()));
        if (!q.eventStartTime().isBefore(q.eventEndTime())) {
            throw ApiException.validation(
                    "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        jdbi.useTransaction(h -> {
            String bus = Archives.busOf(h, archive);
            if (!q.destination().arn().equals(arns.bus(bus))) {
                throw ApiException.validation(
                        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
            }
            for (String filter : Objects.requireNonNullElse(q.destination().filterArns(), List.<String>of())) {
                if (!filter.startsWith(arns.prefix() + "rule/")) {
                    throw ApiException.validation(
                            "Parameter Destination.FilterArns is not valid. Reason: " + filter + " is not a rule ARN.");
                }
            }
            int inserted = h.createUpdate("INSERT INTO event_replays (name, archive, description, state, destination,"
                            + " event_start_time, event_end_time, replay_start_time) VALUES (:name, :archive,"
                            + " :description, :state, CAST(:destination AS jsonb), :start, :end, :now)"
                            + " ON CONFLICT DO NOTHING")
                    .bind("name", q.replayName())
                    .bind("state", ReplayState.STARTING.name())
                    .bind("archive", archive)
                    .bind("description", q.description())
                    .bind("destination", write(q.destination()))
                    .bind("start", q.eventStartTime())
                    .bind("end", q.eventEndTime())
                    .bind("now", now)
                    .execute();
            if (inserted == 0) {
                throw new ApiException.Conflict(
                        "ResourceAlreadyExistsException", "Replay " + q.replayName() + " already exists.");
            }
        });
        return new StartReplayResponse(arns.replay(q.replayName()), ReplayState.STARTING.name(), null, now);
    }

    private DescribeReplayResponse describe(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM event_replays WHERE name = :name")
                        .bind("name", name)
                        .map((rs, ctx) -> new DescribeReplayResponse(
                                name,
                                arns.replay(name),
                                rs.getString("description"),
                                rs.getString("state"),
                                rs.getString("state_reason"),
                                arns.archive(rs.getString("archive")),
                                destination(rs),
                                instant(rs.getTimestamp("event_start_time")),
                                instant(rs.getTimestamp("event_end_time")),
                                instant(rs.getTimestamp("last_event_time")),
                                instant(rs.getTimestamp("replay_start_time")),
                                instant(rs.getTimestamp("replay_end_time"))))
                        .findOne())
                .orElseThrow(() -> notFound(name));
    }

    private ListReplaysResponse list(ListReplaysRequest q) {
        int limit = Objects.requireNonNullElse(q.limit(), 100);
        String after = PageToken.decode("replays", q.nextToken()).orElse("");
        String archive = q.eventSourceArn() == null
                ? null
                : arns.archiveName(q.eventSourceArn()).orElse("\u0000none");
        List<Replay> page = jdbi.withHandle(h -> h.createQuery("SELECT * FROM event_replays WHERE name > :after"
                        + " AND starts_with(name, :prefix) AND (CAST(:state AS text) IS NULL OR state = :state)"
                        + " AND (CAST(:archive AS text) IS NULL OR archive = :archive) ORDER BY name LIMIT :limit")
                .bind("after", after)
                .bind("prefix", Objects.requireNonNullElse(q.namePrefix(), ""))
                .bind("state", q.state())
                .bind("archive", archive)
                .bind("limit", limit + 1)
                .map((rs, ctx) -> new Replay(
                        rs.getString("name"),
                        arns.archive(rs.getString("archive")),
                        rs.getString("state"),
                        rs.getString("state_reason"),
                        instant(rs.getTimestamp("event_start_time")),
                        instant(rs.getTimestamp("event_end_time")),
                        instant(rs.getTimestamp("last_event_time")),
                        instant(rs.getTimestamp("replay_start_time")),
                        instant(rs.getTimestamp("replay_end_time"))))
                .list());
        if (page.size() <= limit) {
            return new ListReplaysResponse(page, null);
        }
        List<Replay> shown = page.subList(0, limit);
        return new ListReplaysResponse(
                shown, PageToken.encode("replays", shown.getLast().replayName()));
    }

    private CancelReplayResponse cancel(String name) {
        // Read, check, then move only from the state read: if the worker moved it meanwhile, look again.
        while (true) {
            ReplayState from = jdbi.withHandle(h -> h.createQuery("SELECT state FROM event_replays WHERE name = :name")
                            .bind("name", name)
                            .mapTo(String.class)
                            .findOne())
                    .map(ReplayState::valueOf)
                    .orElseThrow(() -> notFound(name));
            if (!ReplayState.LIFECYCLE.allows(from, ReplayState.CANCELLING)) {
                throw new ApiException.Conflict(
                        "IllegalStatusException", "Replay " + name + " is " + from + " and cannot be cancelled.");
            }
            if (jdbi.withHandle(h -> move(h, name, from, ReplayState.CANCELLING))) {
                return new CancelReplayResponse(arns.replay(name), ReplayState.CANCELLING.name(), null);
            }
        }
    }

    private record Claimed(
            String name,
            String archive,
            ReplayState state,
            ReplayDestination destination,
            Instant start,
            Instant end,
            Optional<Instant> lastTime,
            Optional<UUID> lastId) {}

    /** Advances one active replay by a batch; returns false when no replay had work. */
    boolean step() {
        return jdbi.inTransaction(h -> {
            Optional<Claimed> claimed = h.createQuery("SELECT * FROM event_replays WHERE state IN " + ACTIVE
                            + " ORDER BY replay_start_time LIMIT 1 FOR UPDATE SKIP LOCKED")
                    .map((rs, ctx) -> new Claimed(
                            rs.getString("name"),
                            rs.getString("archive"),
                            ReplayState.valueOf(rs.getString("state")),
                            destination(rs),
                            instant(rs.getTimestamp("event_start_time")),
                            instant(rs.getTimestamp("event_end_time")),
                            Optional.ofNullable(instant(rs.getTimestamp("last_event_time"))),
                            Optional.ofNullable(rs.getObject("last_event_id", UUID.class))))
                    .findOne();
            if (claimed.isEmpty()) {
                return false;
            }
            advance(h, claimed.get());
            return true;
        });
    }

    private void advance(Handle h, Claimed r) {
        Instant now = clock.instant();
        switch (r.state()) {
            case STARTING -> move(h, r.name(), ReplayState.STARTING, ReplayState.RUNNING);
            case CANCELLING -> finish(h, r.name(), ReplayState.CANCELLING, ReplayState.CANCELLED, null, now);
            case RUNNING -> replayBatch(h, r, now);
            case CANCELLED, COMPLETED, FAILED -> throw new IllegalStateException("claimed a finished replay");
        }
    }

    private void replayBatch(Handle h, Claimed r, Instant now) {
        Optional<String> bus = h.createQuery("SELECT bus FROM event_archives WHERE name = :name")
                .bind("name", r.archive())
                .mapTo(String.class)
                .findOne();
        Optional<CompiledBus> compiled = bus.flatMap(b -> machines.forBus(h, b));
        if (compiled.isEmpty()) {
            finish(
                    h,
                    r.name(),
                    ReplayState.RUNNING,
                    ReplayState.FAILED,
                    "Archive " + r.archive() + " or its event bus no longer exists.",
                    now);
            return;
        }
        List<Object[]> events = h.createQuery("SELECT e.event_id, e.event_time, e.envelope FROM archived_events a"
                        + " JOIN events e ON e.event_id = a.event_id WHERE a.archive = :archive"
                        + " AND a.event_time >= :start AND a.event_time < :end"
                        + " AND (a.event_time, a.event_id) > (CAST(:lastTime AS timestamptz), CAST(:lastId AS uuid))"
                        + " ORDER BY a.event_time, a.event_id LIMIT :batch")
                .bind("archive", r.archive())
                .bind("start", r.start())
                .bind("end", r.end())
                .bind("lastTime", r.lastTime().orElse(Instant.EPOCH))
                .bind("lastId", r.lastId().orElse(new UUID(0, 0)))
                .bind("batch", BATCH)
                .map((rs, ctx) -> new Object[] {
                    rs.getObject("event_id", UUID.class),
                    instant(rs.getTimestamp("event_time")),
                    rs.getString("envelope")
                })
                .list();
        var filter = new HashSet<>(Objects.requireNonNullElse(r.destination().filterArns(), List.<String>of()));
        for (Object[] e : events) {
            router.replay(h, compiled.get(), read((String) e[2]), r.name(), filter);
        }
        if (!events.isEmpty()) {
            Object[] last = events.getLast();
            h.createUpdate("UPDATE event_replays SET last_event_time = :time, last_event_id = :id"
                            + " WHERE name = :name")
                    .bind("time", (Instant) last[1])
                    .bind("id", (UUID) last[0])
                    .bind("name", r.name())
                    .execute();
        }
        if (events.size() < BATCH) {
            finish(h, r.name(), ReplayState.RUNNING, ReplayState.COMPLETED, null, now);
        }
    }

    private static void finish(Handle h, String name, ReplayState from, ReplayState to, String reason, Instant now) {
        ReplayState.LIFECYCLE.change(
                from,
                to,
                () -> h.createUpdate("UPDATE event_replays SET state = :to, state_reason = :reason,"
                                        + " replay_end_time = :now WHERE name = :name AND state = :from")
                                .bind("to", to.name())
                                .bind("from", from.name())
                                .bind("reason", reason)
                                .bind("now", now)
                                .bind("name", name)
                                .execute()
                        == 1);
    }

    /** Moves the replay from {@code from} to {@code to}; false when it was no longer in {@code from}. */
    private static boolean move(Handle h, String name, ReplayState from, ReplayState to) {
        return ReplayState.LIFECYCLE.change(
                from,
                to,
                () -> h.createUpdate("UPDATE event_replays SET state = :to WHERE name = :name AND state = :from")
                                .bind("to", to.name())
                                .bind("from", from.name())
                                .bind("name", name)
                                .execute()
                        == 1);
    }

    private ReplayDestination destination(ResultSet rs) throws SQLException {
        try {
            return json.readValue(rs.getString("destination"), ReplayDestination.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable replay destination", e);
        }
    }

    private ObjectNode read(String envelope) {
        try {
            return (ObjectNode) json.readTree(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable stored event", e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static ApiException notFound(String replay) {
        return new ApiException.NotFound("ResourceNotFoundException", "Replay " + replay + " does not exist.");
    }
}
