package dev.patchtide.server.commands;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.commands.AgentMessages.PluginResult;
import dev.patchtide.server.commands.AgentMessages.UpdateCommandInvocationRequest;
import dev.patchtide.server.commands.Reports.Stored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Writes a group of agents' reports in the caller's transaction: reads their commands once, locks their
 * invocations in one statement (in key order, so two groups never wait on each other in a circle), decides each
 * report as the invocation's lifecycle allows, updates every accepted invocation in one statement and tells the
 * listeners once per command and new status. A refused report is answered with its error without failing the
 * others. Never takes a command's lock (see {@link Progress}: reports must not queue on their command).
 */
final class ReportWriter {
    private final Progress progress;

    ReportWriter(Progress progress) {
        this.progress = progress;
    }

    record Report(UpdateCommandInvocationRequest request, UUID commandId, boolean afterSettle) {}

    private record Invocation(InvocationState state, int responseCode, String standardOutput, String standardError) {}

    private record Key(UUID commandId, String instanceId) {}

    /** An accepted report: the invocation goes from {@code from} to {@code to} (the same for InProgress). */
    private record Write(Report report, InvocationState from, InvocationState to) {}

    private record Move(UUID commandId, InvocationState from, InvocationState to) {}

    /** Answers, for each report, its {@link Stored} or the {@link ApiException} that refuses it. */
    <K> Map<K, Object> write(Handle handle, Map<K, Report> reports) {
        Map<K, Object> outcomes = new LinkedHashMap<>();
        Map<UUID, CommandRow> commands = commands(handle, reports.values());
        Map<Key, Invocation> invocations = lock(handle, reports.values());
        List<Write> writes = new ArrayList<>();
        Map<Move, List<String>> moves = new LinkedHashMap<>();
        reports.forEach((key, report) -> {
            try {
                Object decided = decide(report, commands, invocations);
                if (decided instanceof Write write) {
                    writes.add(write);
                    outcomes.put(key, write.from() == write.to() ? Stored.UNCHANGED : Stored.CHANGED);
                    if (write.from() != write.to()) {
                        moves.computeIfAbsent(
                                        new Move(report.commandId(), write.from(), write.to()), m -> new ArrayList<>())
                                .add(report.request().instanceId());
                    }
                } else {
                    outcomes.put(key, decided);
                }
            } catch (ApiException refused) {
                outcomes.put(key, refused);
            }
        });
        update(handle, writes);
        moves.forEach((move, instances) ->
                progress.moved(handle, commands.get(move.commandId()), move.from(), move.to(), instances));
        return outcomes;
    }

    /**
     * The {@link Write} a report makes, or, when it makes none, its {@link Stored}: COMMAND_PENDING (settle first),
     * or CHANGED for a result sent again (settled again, in case the first settle of that result failed).
     */
    private static Object decide(Report report, Map<UUID, CommandRow> commands, Map<Key, Invocation> invocations) {
        UpdateCommandInvocationRequest q = report.request();
        CommandRow command = commands.get(report.commandId());
        if (command == null) {
            throw Launcher.invalidCommandId(q.commandId());
        }
        if (command.state() == CommandState.PENDING && !report.afterSettle()) {
            return Stored.COMMAND_PENDING;
        }
        Invocation stored = invocations.get(new Key(report.commandId(), q.instanceId()));
        if (stored == null) {
            throw new ApiException.NotFound(
                    "InvocationDoesNotExist",
                    "Command " + q.commandId() + " has no invocation on " + q.instanceId() + ".");
        }
        InvocationState state = stored.state();
        Optional<InvocationState> reported = InvocationState.reported(q.status());
        if (state.isFinal()) {
            boolean same = reported.isPresent()
                    && reported.get().status().equals(state.status())
                    && stored.responseCode() == responseCode(q)
                    && stored.standardOutput().equals(Objects.requireNonNullElse(q.standardOutputContent(), ""))
                    && stored.standardError().equals(Objects.requireNonNullElse(q.standardErrorContent(), ""));
            if (same) {
                return Stored.CHANGED; // the agent's retry of a result already taken
            }
            throw refused(q, state);
        }
        if (!InvocationState.WITH_AGENT.contains(state)) {
            throw refused(q, state);
        }
        InvocationState to = reported.orElse(state);
        if (to != state && !InvocationState.LIFECYCLE.allows(state, to)) {
            throw refused(q, state);
        }
        return new Write(report, state, to);
    }

    private static Map<UUID, CommandRow> commands(Handle handle, java.util.Collection<Report> reports) {
        UUID[] ids = reports.stream().map(Report::commandId).distinct().toArray(UUID[]::new);
        Map<UUID, CommandRow> commands = new HashMap<>();
        handle.createQuery("SELECT * FROM commands WHERE command_id = ANY(:ids)")
                .bindArray("ids", UUID.class, (Object[]) ids)
                .map((rs, ctx) -> CommandRow.read(rs))
                .forEach(c -> commands.put(c.commandId(), c));
        return commands;
    }

    private static Map<Key, Invocation> lock(Handle handle, java.util.Collection<Report> reports) {
        List<Key> keys = reports.stream()
                .map(r -> new Key(r.commandId(), r.request().instanceId()))
                .sorted(Comparator.comparing(Key::commandId).thenComparing(Key::instanceId))
                .toList();
        Map<Key, Invocation> found = new HashMap<>();
        handle.createQuery("SELECT i.command_id, i.instance_id, i.state, i.response_code, i.standard_output,"
                        + " i.standard_error FROM command_invocations i"
                        + " JOIN unnest(CAST(:commands AS uuid[]), CAST(:instances AS text[])) AS k(command_id, instance_id)"
                        + " ON i.command_id = k.command_id AND i.instance_id = k.instance_id"
                        + " ORDER BY i.command_id, i.instance_id FOR UPDATE OF i")
                .bindArray(
                        "commands",
                        UUID.class,
                        keys.stream().map(Key::commandId).toArray())
                .bindArray(
                        "instances",
                        String.class,
                        keys.stream().map(Key::instanceId).toArray())
                .map((rs, ctx) -> Map.entry(
                        new Key(rs.getObject("command_id", UUID.class), rs.getString("instance_id")),
                        new Invocation(
                                InvocationState.valueOf(rs.getString("state")),
                                rs.getInt("response_code"),
                                rs.getString("standard_output"),
                                rs.getString("standard_error"))))
                .forEach(e -> found.put(e.getKey(), e.getValue()));
        return found;
    }

    /** Every accepted report's outputs, and its new state when it moved, in one statement. */
    private void update(Handle handle, List<Write> writes) {
        if (writes.isEmpty()) {
            return;
        }
        int n = writes.size();
        UUID[] commands = new UUID[n];
        String[] instances = new String[n];
        String[] states = new String[n];
        Boolean[] moved = new Boolean[n];
        Integer[] codes = new Integer[n];
        String[] starts = new String[n];
        String[] ends = new String[n];
        String[] stdouts = new String[n];
        String[] stderrs = new String[n];
        String[] plugins = new String[n];
        for (int i = 0; i < n; i++) {
            Write w = writes.get(i);
            UpdateCommandInvocationRequest q = w.report().request();
            commands[i] = w.report().commandId();
            instances[i] = q.instanceId();
            states[i] = w.to().name();
            moved[i] = w.from() != w.to();
            codes[i] = responseCode(q);
            starts[i] = text(q.executionStartDateTime());
            ends[i] = text(q.executionEndDateTime());
            stdouts[i] = Objects.requireNonNullElse(q.standardOutputContent(), "");
            stderrs[i] = Objects.requireNonNullElse(q.standardErrorContent(), "");
            plugins[i] = AgentChannel.pluginsJson(q.plugins() == null ? List.<PluginResult>of() : q.plugins());
        }
        handle.createUpdate("UPDATE command_invocations i SET state = u.state,"
                        + " changed_at = CASE WHEN u.moved THEN CAST(:now AS timestamptz) ELSE i.changed_at END,"
                        + " response_code = u.code, execution_start = coalesce(u.started, i.execution_start),"
                        + " execution_end = u.ended, standard_output = u.stdout, standard_error = u.stderr,"
                        + " plugins = CAST(u.plugins AS jsonb)"
                        + " FROM unnest(CAST(:commands AS uuid[]), CAST(:instances AS text[]), CAST(:states AS text[]),"
                        + " CAST(:moved AS boolean[]), CAST(:codes AS integer[]), CAST(:starts AS timestamptz[]),"
                        + " CAST(:ends AS timestamptz[]), CAST(:stdouts AS text[]), CAST(:stderrs AS text[]),"
                        + " CAST(:plugins AS text[]))"
                        + " AS u(command_id, instance_id, state, moved, code, started, ended, stdout, stderr, plugins)"
                        + " WHERE i.command_id = u.command_id AND i.instance_id = u.instance_id")
                .bind("now", progress.now())
                .bindArray("commands", UUID.class, (Object[]) commands)
                .bindArray("instances", String.class, (Object[]) instances)
                .bindArray("states", String.class, (Object[]) states)
                .bindArray("moved", Boolean.class, (Object[]) moved)
                .bindArray("codes", Integer.class, (Object[]) codes)
                .bindArray("starts", String.class, (Object[]) starts)
                .bindArray("ends", String.class, (Object[]) ends)
                .bindArray("stdouts", String.class, (Object[]) stdouts)
                .bindArray("stderrs", String.class, (Object[]) stderrs)
                .bindArray("plugins", String.class, (Object[]) plugins)
                .execute();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static int responseCode(UpdateCommandInvocationRequest q) {
        return Objects.requireNonNullElse(q.responseCode(), -1);
    }

    private static ApiException refused(UpdateCommandInvocationRequest q, InvocationState state) {
        return new ApiException.Conflict(
                "InvalidCommandInvocationStatus",
                "The invocation of command " + q.commandId() + " on " + q.instanceId() + " is " + state.details()
                        + "; it cannot be reported " + q.status() + ".");
    }
}
