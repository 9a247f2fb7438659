package dev.patchtide.server.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.AgentMessages.PluginResult;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsRequest;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import dev.patchtide.server.commands.AgentMessages.UpdateCommandInvocationRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The agent's side: a long poll that hands each released invocation out at most once (marked delivered in the
 * transaction that claims it for the poll, see {@link Claims}), and the agent's reports of progress and result.
 */
final class AgentChannel {
    static final int DEFAULT_WAIT_SECONDS = 20;
    /**
     * Reports stored at once on this node: ten thousand agents reporting together would otherwise take every pooled
     * connection and starve the deliverer's claims and the settles (the herd then feeds itself). The rest wait
     * here, holding no connection, up to the pool's own wait; then the agent is told to retry (503).
     */
    static final int REPORTS_AT_ONCE = 6;

    private static final Duration REPORT_WAIT = Duration.ofSeconds(30);
    private final java.util.concurrent.Semaphore reporting = new java.util.concurrent.Semaphore(REPORTS_AT_ONCE, true);

    private final Jdbi jdbi;
    private final Progress progress;
    private final Deliverer deliverer;
    private final Settler settler;

    AgentChannel(Jdbi jdbi, Progress progress, Deliverer deliverer, Settler settler) {
        this.jdbi = jdbi;
        this.progress = progress;
        this.deliverer = deliverer;
        this.settler = settler;
    }

    /**
     * A long poll: registered with the node's {@link Deliverer}, which looks for its work together with the other
     * polls that arrived meanwhile and hands out what it claims; empty when the wait ends.
     */
    ReceiveCommandInvocationsResult receive(ReceiveCommandInvocationsRequest q) {
        Duration wait = Duration.ofSeconds(Objects.requireNonNullElse(q.waitTimeSeconds(), DEFAULT_WAIT_SECONDS));
        Poll poll = deliverer.register(q.instanceId(), wait);
        try {
            return poll.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Transient("ServiceUnavailable", "The server is stopping; poll again.");
        } finally {
            deliverer.unregister(poll);
        }
    }

    /**
     * Stores the agent's report holding only the invocation's row, never the command's: the many reports of one
     * command do not queue on it. The command is settled afterwards (see {@link Settler}).
     */
    void update(UpdateCommandInvocationRequest q) {
        UUID commandId = Launcher.parseId(q.commandId());
        Stored stored = store(q, commandId, false);
        if (stored == Stored.COMMAND_PENDING) {
            // The hand-out's own settle (which starts the command) comes first: listeners hear of the command's
            // start before any of its results.
            settler.settle(commandId);
            stored = store(q, commandId, true);
        }
        if (stored == Stored.CHANGED) {
            settler.settle(commandId);
        }
    }

    private enum Stored {
        CHANGED,
        UNCHANGED,
        COMMAND_PENDING
    }

    private Stored store(UpdateCommandInvocationRequest q, UUID commandId, boolean afterSettle) {
        try {
            if (!reporting.tryAcquire(REPORT_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw ApiException.busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Transient("ServiceUnavailable", "The server is stopping; report again.");
        }
        try {
            return storeNow(q, commandId, afterSettle);
        } finally {
            reporting.release();
        }
    }

    private Stored storeNow(UpdateCommandInvocationRequest q, UUID commandId, boolean afterSettle) {
        return jdbi.inTransaction(handle -> {
            CommandRow command =
                    CommandRow.find(handle, commandId).orElseThrow(() -> Launcher.invalidCommandId(q.commandId()));
            if (command.state() == CommandState.PENDING && !afterSettle) {
                return Stored.COMMAND_PENDING;
            }
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
                    return Stored.CHANGED; // the agent's retry of a result already taken: settle again, in case
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
                return Stored.UNCHANGED;
            }
            InvocationState to = reported.get();
            progress.move(handle, command, state, to, q.instanceId(), outputs, "", binds);
            return Stored.CHANGED;
        });
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
