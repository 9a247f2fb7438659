package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.db.PgArrays;
import dev.patchtide.server.delivery.Outbox;
import dev.patchtide.server.events.BusMachines.CompiledBus;
import dev.patchtide.server.events.BusMachines.RuleTargets;
import dev.patchtide.server.events.TargetMessages.Target;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Where every event goes, in the caller's transaction: stored, archived where an archive's pattern matches,
 * and one outbox delivery per target of each enabled rule whose pattern matches. So an event and its
 * deliveries are committed together or not at all.
 */
final class EventRouter {
    private final BusMachines machines;
    private final Outbox outbox;
    private final InstantSource clock;

    EventRouter(BusMachines machines, Outbox outbox, InstantSource clock) {
        this.machines = machines;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Stores and routes an event; false (and nothing done) when the bus does not exist. */
    boolean ingest(Handle handle, String bus, EventEnvelope event) {
        Optional<CompiledBus> compiled = machines.forBus(handle, bus);
        if (compiled.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        ObjectNode json = event.toJson();
        String text = TargetInput.text(json);
        handle.createUpdate("INSERT INTO events (event_id, bus, event_time, received_at, envelope)"
                        + " VALUES (:id, :bus, :time, :now, :envelope)")
                .bind("id", UUID.fromString(event.id()))
                .bind("bus", bus)
                .bind("time", event.time())
                .bind("now", now)
                .bind("envelope", text)
                .execute();
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        UUID id = UUID.fromString(event.id());
        for (String archive : compiled.get().archivesForAll()) {
            archive(handle, archive, id, event.time(), size);
        }
        for (String name : compiled.get().matcher().match(json)) {
            if (name.startsWith(BusMachines.ARCHIVE)) {
                archive(handle, name.substring(BusMachines.ARCHIVE.length()), id, event.time(), size);
            } else {
                deliver(handle, compiled.get().rules().get(name.substring(BusMachines.RULE.length())), json, now);
            }
        }
        return true;
    }

    /** As {@link #ingest} for many events: one look at the bus and one insert for all of them. */
    boolean ingestAll(Handle handle, String bus, java.util.List<EventEnvelope> events) {
        if (events.size() == 1) {
            return ingest(handle, bus, events.getFirst());
        }
        Optional<CompiledBus> compiled = machines.forBus(handle, bus);
        if (compiled.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        int n = events.size();
        UUID[] ids = new UUID[n];
        String[] times = new String[n];
        String[] texts = new String[n];
        ObjectNode[] jsons = new ObjectNode[n];
        for (int i = 0; i < n; i++) {
            EventEnvelope event = events.get(i);
            jsons[i] = event.toJson();
            ids[i] = UUID.fromString(event.id());
            times[i] = event.time().toString();
            texts[i] = TargetInput.text(jsons[i]);
        }
        store(handle, bus, now, ids, times, texts);
        for (int i = 0; i < n; i++) {
            route(handle, compiled.get(), ids[i], events.get(i).time(), texts[i], jsons[i], now);
        }
        return true;
    }

    /**
     * As {@link #ingestAll} for the events of a template, one per value: their texts spliced, and a tree made only
     * when the bus has a pattern or archive that must see it.
     */
    boolean ingestAlike(Handle handle, String bus, AlikeEvents template, java.util.List<String> values) {
        if (values.isEmpty()) {
            return true;
        }
        Optional<CompiledBus> compiled = machines.forBus(handle, bus);
        if (compiled.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        int n = values.size();
        UUID[] ids = new UUID[n];
        String[] texts = new String[n];
        String time = template.time().toString();
        String[] times = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = UUID.randomUUID();
            texts[i] = template.text(ids[i].toString(), values.get(i));
            times[i] = time;
        }
        store(handle, bus, now, ids, times, texts);
        if (!compiled.get().matcher().isEmpty()
                || !compiled.get().archivesForAll().isEmpty()) {
            for (int i = 0; i < n; i++) {
                route(handle, compiled.get(), ids[i], template.time(), texts[i], AlikeEvents.tree(texts[i]), now);
            }
        }
        return true;
    }

    private static void store(Handle handle, String bus, Instant now, UUID[] ids, String[] times, String[] texts) {
        handle.createUpdate("INSERT INTO events (event_id, bus, event_time, received_at, envelope)"
                        + " SELECT id, :bus, time, :now, envelope FROM unnest(:ids, CAST(:times AS timestamptz[]), :envelopes)"
                        + " AS e(id, time, envelope)")
                .bind("bus", bus)
                .bind("now", now)
                .bindArray("ids", UUID.class, (Object[]) ids)
                .bind("times", PgArrays.texts(times))
                .bind("envelopes", PgArrays.texts(texts))
                .execute();
    }

    /** Archives and delivers one stored event of a bulk, as {@link #ingest} does. */
    private void route(
            Handle handle, CompiledBus compiled, UUID id, Instant time, String text, ObjectNode json, Instant now) {
        java.util.List<String> matched = compiled.matcher().match(json);
        if (matched.isEmpty() && compiled.archivesForAll().isEmpty()) {
            return; // the common case for a bulk of status changes: stored, nothing else to do
        }
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        for (String archive : compiled.archivesForAll()) {
            archive(handle, archive, id, time, size);
        }
        for (String name : matched) {
            if (name.startsWith(BusMachines.ARCHIVE)) {
                archive(handle, name.substring(BusMachines.ARCHIVE.length()), id, time, size);
            } else {
                deliver(handle, compiled.rules().get(name.substring(BusMachines.RULE.length())), json, now);
            }
        }
    }

    /**
     * Routes an archived event again, marked with {@code replay-name}, to the matching rules of the bus
     * (only those in {@code ruleArns} when it is not empty). Replayed events are not stored or archived again.
     */
    void replay(Handle handle, CompiledBus bus, ObjectNode envelope, String replayName, Set<String> ruleArns) {
        ObjectNode json = envelope.deepCopy();
        json.put("replay-name", replayName);
        Instant now = clock.instant();
        for (String name : bus.matcher().match(json)) {
            if (name.startsWith(BusMachines.RULE)) {
                RuleTargets rule = bus.rules().get(name.substring(BusMachines.RULE.length()));
                if (ruleArns.isEmpty() || ruleArns.contains(rule.arn())) {
                    deliver(handle, rule, json, now);
                }
            }
        }
    }

    /** Sends an event straight to one rule's targets (a schedule rule firing), without pattern matching. */
    void deliverToRule(Handle handle, String bus, String ruleName, EventEnvelope event) {
        machines.forBus(handle, bus)
                .map(c -> c.rules().get(ruleName))
                .ifPresent(rule -> deliver(handle, rule, event.toJson(), clock.instant()));
    }

    private void deliver(Handle handle, RuleTargets rule, ObjectNode json, Instant now) {
        for (Target target : rule.targets()) {
            String payload = TargetInput.render(target, new TargetInput.Context(json, rule.arn(), rule.name(), now));
            TargetDelivery.of(target, payload, rule.arn()).ifPresent(d -> outbox.enqueue(handle, d));
        }
    }

    private static void archive(Handle handle, String archive, UUID id, Instant time, int size) {
        handle.createUpdate("INSERT INTO archived_events (archive, event_id, event_time, size_bytes)"
                        + " VALUES (:archive, :id, :time, :size) ON CONFLICT DO NOTHING")
                .bind("archive", archive)
                .bind("id", id)
                .bind("time", time)
                .bind("size", size)
                .execute();
    }
}
