package dev.patchtide.server.workflows;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.db.PgArrays;
import dev.patchtide.server.workflows.ExecutionMessages.StartExecutionResponse;
import dev.patchtide.workflow.run.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Stores a group of new STANDARD executions in the caller's transaction, with a fixed number of statements however
 * many there are: one look at (and hold on) their machines, one insert of their rows, then {@link Host#started}'s
 * history insert and publish. A start refused (its machine gone or being deleted, its name taken) is answered with
 * its own error without failing the others.
 */
final class StartWriter {
    /** A start whose first step has run, against {@code draft.revisionId()}; {@code answered} is its StartDate. */
    record Start(ExecutionRow draft, ExecutionRow stored, Step step, boolean versioned, Instant answered) {}

    /**
     * The outcome of a start made from a cached machine that has since been updated: nothing was stored, and the
     * caller looks the machine up again and runs the first step on its current revision.
     */
    static final Object STALE = new Object() {
        @Override
        public String toString() {
            return "stale machine";
        }
    };

    private record MachineNow(String revisionId, String status) {}

    private final Host host;

    StartWriter(Host host) {
        this.host = host;
    }

    /** Answers, for each start, its {@link StartExecutionResponse}, {@link #STALE} or the refusing ApiException. */
    <K> Map<K, Object> write(Handle handle, Map<K, Start> starts) {
        Map<K, Object> outcomes = new LinkedHashMap<>();
        Map<String, MachineNow> machines = holdMachines(handle, starts.values());
        Map<K, Start> accepted = new LinkedHashMap<>();
        starts.forEach((key, start) -> {
            MachineNow now = machines.get(start.draft().machineArn());
            if (now == null) {
                outcomes.put(key, MachineApi.doesNotExist(start.draft().machineArn()));
            } else if (!start.versioned()
                    && !now.revisionId().equals(start.draft().revisionId())) {
                outcomes.put(key, STALE);
            } else if ("DELETING".equals(now.status())) {
                outcomes.put(key, deleting(start.draft().machineArn()));
            } else {
                accepted.put(key, start);
            }
        });
        Set<String> inserted = insert(handle, accepted.values());
        List<Host.Started> started = new ArrayList<>();
        accepted.forEach((key, start) -> {
            ExecutionRow draft = start.draft();
            if (inserted.contains(draft.arn())) {
                started.add(new Host.Started(draft, start.stored(), start.step()));
                outcomes.put(key, new StartExecutionResponse(draft.arn(), start.answered()));
            } else {
                outcomes.put(key, existing(handle, draft));
            }
        });
        if (!started.isEmpty()) {
            host.started(handle, started);
        }
        return outcomes;
    }

    /**
     * Reads the machines' current revision and status and holds their rows with FOR KEY SHARE until commit: Delete-
     * and UpdateStateMachine lock the row FOR UPDATE first, so neither can change what was read here before these
     * executions are committed (and a delete that follows sees the ones still running and waits for them).
     */
    private static Map<String, MachineNow> holdMachines(Handle handle, java.util.Collection<Start> starts) {
        String[] arns = starts.stream()
                .map(s -> s.draft().machineArn())
                .distinct()
                .sorted()
                .toArray(String[]::new);
        Map<String, MachineNow> found = new HashMap<>();
        handle.createQuery("SELECT arn, revision_id, status FROM sfn_machines WHERE arn = ANY(:arns)"
                        + " ORDER BY arn FOR KEY SHARE")
                .bindArray("arns", String.class, (Object[]) arns)
                .map((rs, ctx) -> Map.entry(
                        rs.getString("arn"), new MachineNow(rs.getString("revision_id"), rs.getString("status"))))
                .forEach(e -> found.put(e.getKey(), e.getValue()));
        return found;
    }

    /** Inserts the rows as their first steps left them; answers the ARNs inserted (not those already there). */
    private static Set<String> insert(Handle handle, java.util.Collection<Start> starts) {
        if (starts.isEmpty()) {
            return Set.of();
        }
        int n = starts.size();
        String[][] columns = new String[13][n];
        int i = 0;
        for (Start start : starts) {
            ExecutionRow row = start.stored();
            String[] values = {
                row.arn(),
                row.machineArn(),
                row.name(),
                row.revisionId(),
                row.versionArn(),
                row.roleArn(),
                row.status().name(),
                row.input(),
                row.output(),
                row.error(),
                row.cause(),
                row.snapshot() == null ? null : row.snapshot().toString(),
                row.startedAt().toString()
            };
            for (int c = 0; c < values.length; c++) {
                columns[c][i] = values[c];
            }
            i++;
        }
        String[] stopped = starts.stream()
                .map(s -> s.stored().stoppedAt() == null
                        ? null
                        : s.stored().stoppedAt().toString())
                .toArray(String[]::new);
        return new HashSet<>(handle.createQuery("INSERT INTO sfn_executions (arn, machine_arn, name, revision_id,"
                        + " version_arn, role_arn, status, input, output, error, cause, snapshot, started_at,"
                        + " stopped_at) SELECT arn, machine, name, revision, version, role, status, input, output,"
                        + " error, cause, CAST(snapshot AS json), started, stopped FROM unnest(CAST(:c0 AS text[]),"
                        + " CAST(:c1 AS text[]), CAST(:c2 AS text[]), CAST(:c3 AS text[]), CAST(:c4 AS text[]),"
                        + " CAST(:c5 AS text[]), CAST(:c6 AS text[]), CAST(:c7 AS text[]), CAST(:c8 AS text[]),"
                        + " CAST(:c9 AS text[]), CAST(:c10 AS text[]), CAST(:c11 AS text[]),"
                        + " CAST(:c12 AS timestamptz[]), CAST(:stopped AS timestamptz[])) AS r(arn, machine, name,"
                        + " revision, version, role, status, input, output, error, cause, snapshot, started, stopped)"
                        + " ON CONFLICT DO NOTHING RETURNING arn")
                .bind("c0", PgArrays.texts(columns[0]))
                .bind("c1", PgArrays.texts(columns[1]))
                .bind("c2", PgArrays.texts(columns[2]))
                .bind("c3", PgArrays.texts(columns[3]))
                .bind("c4", PgArrays.texts(columns[4]))
                .bind("c5", PgArrays.texts(columns[5]))
                .bind("c6", PgArrays.texts(columns[6]))
                .bind("c7", PgArrays.texts(columns[7]))
                .bind("c8", PgArrays.texts(columns[8]))
                .bind("c9", PgArrays.texts(columns[9]))
                .bind("c10", PgArrays.texts(columns[10]))
                .bind("c11", PgArrays.texts(columns[11]))
                .bind("c12", PgArrays.texts(columns[12]))
                .bind("stopped", PgArrays.texts(stopped))
                .mapTo(String.class)
                .list());
    }

    /** A start whose name is taken: idempotent as AWS while the same input still runs, refused otherwise. */
    private static Object existing(Handle handle, ExecutionRow draft) {
        ExecutionRow row = ExecutionRow.find(handle, draft.arn()).orElseThrow();
        if (row.status() == ExecutionStatus.RUNNING && row.input().equals(draft.input())) {
            return new StartExecutionResponse(row.arn(), row.startedAt());
        }
        return new ApiException.Conflict("ExecutionAlreadyExists", "Execution Already Exists: '" + draft.arn() + "'");
    }

    private static ApiException deleting(String machineArn) {
        return new ApiException.Conflict(
                "StateMachineDeleting", "State machine is being deleted: '" + machineArn + "'");
    }
}
