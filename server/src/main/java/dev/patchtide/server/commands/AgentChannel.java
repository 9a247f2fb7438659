package dev.patchtide.server.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.AgentMessages.Invocation;
import dev.patchtide.server.commands.AgentMessages.PluginResult;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsRequest;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import dev.patchtide.server.commands.AgentMessages.UpdateCommandInvocationRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The agent's side: a long poll that hands each released invocation out exactly once (marked delivered in the
 * transaction that answers it), and the agent's reports of progress and of the final result.
 */
final class AgentChannel {
    static final int DEFAULT_WAIT_SECONDS = 20;
    /**
     * A poll still unanswered this long after it arrived (waiting for a connection under load) is taken for
     * abandoned: agents stop reading after 60 s, and what it claimed would be written to nobody.
     */
    private static final Duration ABANDONED_AFTER = Duration.ofSeconds(45);

    private final Jdbi jdbi;
    private final Progress progress;
    private final Wakeups wakeups;
    private final Settler settler;

    AgentChannel(Jdbi jdbi, Progress progress, Wakeups wakeups, Settler settler) {
        this.jdbi = jdbi;
        this.progress = progress;
        this.wakeups = wakeups;
        this.settler = settler;
    }

    private record Claimed(List<Invocation> invocations, List<String> cancellations, boolean newCancellation) {}

    ReceiveCommandInvocationsResult receive(ReceiveCommandInvocationsRequest q) {
        Duration wait = Duration.ofSeconds(Objects.requireNonNullElse(q.waitTimeSeconds(), DEFAULT_WAIT_SECONDS));
        long arrived = System.nanoTime();
        long deadline = arrived + wait.toNanos();
        long abandoned = arrived + ABANDONED_AFTER.toNanos();
        // Registered before the first look: a wake-up sent between the look and the wait is not lost.
        Wakeups.Waiter waiter = wakeups.register(q.instanceId());
        try {
            while (true) {
                if (waiter.superseded()) {
                    return new ReceiveCommandInvocationsResult(List.of(), List.of());
                }
                Claimed claimed = look(q.instanceId(), () -> waiter.superseded() || System.nanoTime() - abandoned > 0);
                long left = deadline - System.nanoTime();
                boolean answer = !claimed.invocations().isEmpty() || claimed.newCancellation();
                if (answer || left <= 0 || wakeups.closing()) {
                    return new ReceiveCommandInvocationsResult(claimed.invocations(), claimed.cancellations());
                }
                // Not woken: nothing arrived (the node re-checks for lost notifications), so no second look.
                if (!waiter.await(Duration.ofNanos(left))) {
                    return new ReceiveCommandInvocationsResult(List.of(), claimed.cancellations());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Transient("ServiceUnavailable", "The server is stopping; poll again.");
        } finally {
            wakeups.unregister(q.instanceId(), waiter);
        }
    }

    /**
     * One cheap statement for the common case of a waiting agent with nothing to take (no transaction); claims
     * only when there is something.
     */
    private Claimed look(String instanceId, java.util.function.BooleanSupplier gone) {
        List<Map<String, Object>> open = jdbi.withHandle(handle -> handle.createQuery("SELECT command_id, state,"
                        + " cancel_told FROM command_invocations WHERE instance_id = :instance"
                        + " AND state IN ('RELEASED', 'CANCELLING') ORDER BY command_id")
                .bind("instance", instanceId)
                .mapToMap()
                .list());
        boolean claimable = open.stream()
                .anyMatch(row -> row.get("state").equals("RELEASED") || !((Boolean) row.get("cancel_told")));
        if (claimable) {
            try {
                return claim(instanceId, gone);
            } catch (Unanswerable e) {
                return new Claimed(List.of(), List.of(), false);
            }
        }
        List<String> cancellations =
                open.stream().map(row -> row.get("command_id").toString()).toList();
        return new Claimed(List.of(), cancellations, false);
    }

    /** Rolls a claim back: its answer would reach nobody. */
    private static final class Unanswerable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unanswerable() {
            super("the poll was superseded or abandoned", null, false, false);
        }
    }

    /**
     * Claims in one transaction, rolled back when by its end the poll was superseded by a newer one of the same
     * agent or waited too long: an invocation marked delivered then would be lost.
     */
    private Claimed claim(String instanceId, java.util.function.BooleanSupplier gone) {
        Set<UUID> pending = new LinkedHashSet<>();
        Claimed claimed = jdbi.inTransaction(handle -> {
            Instant now = progress.now();
            List<Map<String, Object>> rows = handle.createQuery("WITH picked AS MATERIALIZED (SELECT command_id"
                            + " FROM command_invocations WHERE instance_id = :instance AND state = 'RELEASED'"
                            + " FOR UPDATE SKIP LOCKED)"
                            + " UPDATE command_invocations ci SET state = 'DELIVERED',"
                            + " delivered_at = :now, changed_at = :now, silent_deadline = GREATEST(c.expires_after,"
                            + " CAST(:now AS timestamptz) + c.execution_timeout_s * interval '1 second')"
                            + " + :grace * interval '1 second'"
                            + " FROM picked, commands c WHERE c.command_id = ci.command_id"
                            + " AND ci.instance_id = :instance AND ci.command_id = picked.command_id"
                            + " AND ci.state = 'RELEASED' RETURNING ci.command_id")
                    .bind("now", now)
                    .bind("grace", Launcher.silentGrace().toSeconds())
                    .bind("instance", instanceId)
                    .mapToMap()
                    .list();
            List<Invocation> invocations = new ArrayList<>();
            for (Map<String, Object> row : rows) {
                UUID commandId = (UUID) row.get("command_id");
                CommandRow command = CommandRow.find(handle, commandId).orElseThrow();
                InvocationState.LIFECYCLE.taken(InvocationState.RELEASED, InvocationState.DELIVERED);
                progress.invocationChanged(handle, command, instanceId, InvocationState.DELIVERED);
                if (command.state() == CommandState.PENDING) {
                    pending.add(commandId);
                }
                invocations.add(new Invocation(
                        commandId.toString(),
                        instanceId,
                        command.documentName(),
                        command.documentVersion(),
                        command.parameters(),
                        tree(command.plan()),
                        command.executionTimeoutSeconds(),
                        command.requestedAt()));
            }
            List<String> untold = handle.createQuery("UPDATE command_invocations SET cancel_told = true"
                            + " WHERE instance_id = :instance AND state = 'CANCELLING' AND NOT cancel_told"
                            + " RETURNING command_id")
                    .bind("instance", instanceId)
                    .mapTo(String.class)
                    .list();
            List<String> cancellations = handle.createQuery("SELECT command_id FROM command_invocations"
                            + " WHERE instance_id = :instance AND state = 'CANCELLING' ORDER BY command_id")
                    .bind("instance", instanceId)
                    .mapTo(String.class)
                    .list();
            if (gone.getAsBoolean()) {
                throw new Unanswerable();
            }
            return new Claimed(invocations, cancellations, !untold.isEmpty());
        });
        // The command's own lock is taken only now, in a transaction of its own: a claim holding invocation rows
        // never waits for a command (see Progress). What was claimed is answered whatever happens to the settle:
        // the invocations are marked delivered already, and an error would lose them.
        for (UUID commandId : pending) {
            settler.settle(commandId);
        }
        return claimed;
    }

    /**
     * Stores the agent's report holding only the invocation's row, never the command's: the many reports of one
     * command do not queue on it. The command is settled afterwards (see {@link Settler}).
     */
    void update(UpdateCommandInvocationRequest q) {
        UUID commandId = Launcher.parseId(q.commandId());
        boolean changed = jdbi.inTransaction(handle -> {
            CommandRow command =
                    CommandRow.find(handle, commandId).orElseThrow(() -> Launcher.invalidCommandId(q.commandId()));
            Map<String, Object> stored = handle.createQuery("SELECT state, response_code, standard_output,"
                            + " standard_error FROM command_invocations WHERE command_id = :id AND instance_id ="
                            + " :instance FOR UPDATE")
                    .bind("id", commandId)
                    .bind("instance", q.instanceId())
                    .mapToMap()
                    .findOne()
                    .orElseThrow(() -> new ApiException.NotFound(
                            "InvocationDoesNotExist",
                            "Command " + q.commandId() + " has no invocation on " + q.instanceId() + "."));
            InvocationState state = InvocationState.valueOf((String) stored.get("state"));
            var reported = InvocationState.reported(q.status());
            if (state.isFinal()) {
                boolean same = reported.isPresent()
                        && reported.get().status().equals(state.status())
                        && Objects.equals(stored.get("response_code"), responseCode(q))
                        && Objects.equals(
                                stored.get("standard_output"),
                                Objects.requireNonNullElse(q.standardOutputContent(), ""))
                        && Objects.equals(
                                stored.get("standard_error"), Objects.requireNonNullElse(q.standardErrorContent(), ""));
                if (same) {
                    return true; // the agent's retry of a result already taken: settle again, in case
                }
                throw refused(q, state);
            }
            if (!InvocationState.WITH_AGENT.contains(state)) {
                throw refused(q, state);
            }
            Map<String, Object> binds = new java.util.HashMap<>();
            binds.put("code", responseCode(q));
            binds.put("start", q.executionStartDateTime());
            binds.put("end", q.executionEndDateTime());
            binds.put("stdout", Objects.requireNonNullElse(q.standardOutputContent(), ""));
            binds.put("stderr", Objects.requireNonNullElse(q.standardErrorContent(), ""));
            binds.put("plugins", pluginsJson(q.plugins() == null ? List.of() : q.plugins()));
            String outputs = "response_code = :code, execution_start = coalesce(CAST(:start AS timestamptz),"
                    + " execution_start), execution_end = CAST(:end AS timestamptz), standard_output = :stdout,"
                    + " standard_error = :stderr, plugins = CAST(:plugins AS jsonb)";
            if (reported.isEmpty()) {
                handle.createUpdate("UPDATE command_invocations SET " + outputs
                                + " WHERE command_id = :id AND instance_id = :instance")
                        .bindMap(binds)
                        .bind("id", commandId)
                        .bind("instance", q.instanceId())
                        .execute();
                return false;
            }
            InvocationState to = reported.get();
            progress.move(handle, command, state, to, q.instanceId(), outputs, "", binds);
            return true;
        });
        if (changed) {
            settler.settle(commandId);
        }
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

    /** Plugin results are stored in the API's own dialect (its member names and timestamps). */
    private static String pluginsJson(List<PluginResult> plugins) {
        try {
            return ApiJson.mapper().writeValueAsString(plugins);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<PluginResult> plugins(String json) {
        try {
            return ApiJson.mapper().readValue(json, new TypeReference<List<PluginResult>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored plugin results are unreadable", e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return ApiJson.documents().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
