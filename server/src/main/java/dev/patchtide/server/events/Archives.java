package dev.patchtide.server.events;

import static dev.patchtide.server.events.EventsApi.on;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.events.ArchiveMessages.Archive;
import dev.patchtide.server.events.ArchiveMessages.ArchiveNameRequest;
import dev.patchtide.server.events.ArchiveMessages.ArchiveStateResponse;
import dev.patchtide.server.events.ArchiveMessages.CreateArchiveRequest;
import dev.patchtide.server.events.ArchiveMessages.DescribeArchiveResponse;
import dev.patchtide.server.events.ArchiveMessages.ListArchivesRequest;
import dev.patchtide.server.events.ArchiveMessages.ListArchivesResponse;
import dev.patchtide.server.events.ArchiveMessages.UpdateArchiveRequest;
import dev.patchtide.server.events.BusMessages.Empty;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive. An archive keeps the events of
 * its bus that match its pattern (all of them without one), for {@code RetentionDays} (0: forever).
 */
final class Archives {
    private final Jdbi jdbi;
    private final EventsArns arns;
    private final InstantSource clock;

    Archives(Jdbi jdbi, EventsArns arns, InstantSource clock) {
        this.jdbi = jdbi;
        this.arns = arns;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        on(router, "CreateArchive", CreateArchiveRequest.class, this::create);
        on(router, "DescribeArchive", ArchiveNameRequest.class, q -> describe(q.archiveName()));
        on(router, "ListArchives", ListArchivesRequest.class, this::list);
        on(router, "UpdateArchive", UpdateArchiveRequest.class, this::update);
        on(router, "DeleteArchive", ArchiveNameRequest.class, q -> {
            jdbi.useTransaction(h -> {
                String bus = busOf(h, q.archiveName());
                BusMachines.bump(h, bus);
                h.createUpdate("DELETE FROM event_archives WHERE name = :name")
                        .bind("name", q.archiveName())
                        .execute();
            });
            return new Empty();
        });
    }

    private ArchiveStateResponse create(CreateArchiveRequest q) {
        String bus = arns.busOfArn(q.eventSourceArn())
                .orElseThrow(() -> ApiException.validation("Parameter EventSourceArn is not valid. Reason: "
                        + q.eventSourceArn() + " is not an event bus of this account and region."));
        if (q.eventPattern() != null) {
            EventPatterns.check(q.eventPattern());
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        jdbi.useTransaction(h -> {
            Rules.lockBus(h, bus);
            int inserted = h.createUpdate("INSERT INTO event_archives (name, bus, description, event_pattern,"
                            + " retention_days, created_at) VALUES (:name, :bus, :description, :pattern, :days, :now)"
                            + " ON CONFLICT DO NOTHING")
                    .bind("name", q.archiveName())
                    .bind("bus", bus)
                    .bind("description", q.description())
                    .bind("pattern", q.eventPattern())
                    .bind("days", Objects.requireNonNullElse(q.retentionDays(), 0))
                    .bind("now", now)
                    .execute();
            if (inserted == 0) {
                throw new ApiException.Conflict(
                        "ResourceAlreadyExistsException", "Archive " + q.archiveName() + " already exists.");
            }
        });
        return new ArchiveStateResponse(arns.archive(q.archiveName()), "ENABLED", null, now);
    }

    private ArchiveStateResponse update(UpdateArchiveRequest q) {
        if (q.eventPattern() != null) {
            EventPatterns.check(q.eventPattern());
        }
        return jdbi.inTransaction(h -> {
            String bus = busOf(h, q.archiveName());
            BusMachines.bump(h, bus);
            return h.createQuery("UPDATE event_archives SET description = coalesce(:description, description),"
                            + " event_pattern = coalesce(:pattern, event_pattern),"
                            + " retention_days = coalesce(:days, retention_days) WHERE name = :name"
                            + " RETURNING created_at")
                    .bind("name", q.archiveName())
                    .bind("description", q.description())
                    .bind("pattern", q.eventPattern())
                    .bind("days", q.retentionDays())
                    .map((rs, ctx) -> new ArchiveStateResponse(
                            arns.archive(q.archiveName()),
                            "ENABLED",
                            null,
                            rs.getTimestamp("created_at").toInstant()))
                    .one();
        });
    }

    DescribeArchiveResponse describe(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT a.*, (SELECT count(*) FROM archived_events e"
                                + " WHERE e.archive = a.name) AS event_count, (SELECT coalesce(sum(size_bytes), 0)"
                                + " FROM archived_events e WHERE e.archive = a.name) AS size_bytes"
                                + " FROM event_archives a WHERE a.name = :name")
                        .bind("name", name)
                        .map((rs, ctx) -> new DescribeArchiveResponse(
                                arns.archive(name),
                                name,
                                arns.bus(rs.getString("bus")),
                                rs.getString("description"),
                                rs.getString("event_pattern"),
                                "ENABLED",
                                null,
                                null,
                                rs.getInt("retention_days"),
                                rs.getLong("size_bytes"),
                                rs.getLong("event_count"),
                                rs.getTimestamp("created_at").toInstant()))
                        .findOne())
                .orElseThrow(() -> notFound(name));
    }

    private ListArchivesResponse list(ListArchivesRequest q) {
        int limit = Objects.requireNonNullElse(q.limit(), 100);
        String after = PageToken.decode("archives", q.nextToken()).orElse("");
        if (q.state() != null && !q.state().equals("ENABLED")) {
            return new ListArchivesResponse(List.of(), null);
        }
        String bus = q.eventSourceArn() == null
                ? null
                : arns.busOfArn(q.eventSourceArn()).orElse("\u0000none");
        List<Archive> page = jdbi.withHandle(h -> h.createQuery("SELECT a.*, (SELECT count(*) FROM archived_events e"
                        + " WHERE e.archive = a.name) AS event_count, (SELECT coalesce(sum(size_bytes), 0)"
                        + " FROM archived_events e WHERE e.archive = a.name) AS size_bytes FROM event_archives a"
                        + " WHERE a.name > :after AND starts_with(a.name, :prefix)"
                        + " AND (CAST(:bus AS text) IS NULL OR a.bus = :bus) ORDER BY a.name LIMIT :limit")
                .bind("after", after)
                .bind("prefix", Objects.requireNonNullElse(q.namePrefix(), ""))
                .bind("bus", bus)
                .bind("limit", limit + 1)
                .map((rs, ctx) -> new Archive(
                        rs.getString("name"),
                        arns.bus(rs.getString("bus")),
                        "ENABLED",
                        null,
                        rs.getInt("retention_days"),
                        rs.getLong("size_bytes"),
                        rs.getLong("event_count"),
                        rs.getTimestamp("created_at").toInstant()))
                .list());
        if (page.size() <= limit) {
            return new ListArchivesResponse(page, null);
        }
        List<Archive> shown = page.subList(0, limit);
        return new ListArchivesResponse(
                shown, PageToken.encode("archives", shown.getLast().archiveName()));
    }

    /** Forgets archived events older than their archive's retention; returns how many. */
    int expire(Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM archived_events e USING event_archives a"
                        + " WHERE e.archive = a.name AND a.retention_days > 0"
                        + " AND e.event_time < CAST(:now AS timestamptz) - make_interval(days => a.retention_days)")
                .bind("now", now)
                .execute());
    }

    static String busOf(Handle h, String archive) {
        return h.createQuery("SELECT bus FROM event_archives WHERE name = :name FOR UPDATE")
                .bind("name", archive)
                .mapTo(String.class)
                .findOne()
                .orElseThrow(() -> notFound(archive));
    }

    static ApiException notFound(String archive) {
        return new ApiException.NotFound("ResourceNotFoundException", "Archive " + archive + " does not exist.");
    }
}
