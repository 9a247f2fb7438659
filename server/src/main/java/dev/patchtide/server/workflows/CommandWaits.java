package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.CommandListener;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Signal;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code arn:aws:states:::aws-sdk:ssm:sendCommand.sync}, a Patchtide extension: the task sends the command, then
 * waits in {@code sfn_command_waits} until the commands feature reports the command's final status, inside the
 * transaction that records it. Success answers the final Command as ListCommands shows it; Failed, TimedOut and
 * Cancelled fail the task with {@code Ssm.CommandFailed}, {@code Ssm.CommandTimedOut} or
 * {@code Ssm.CommandCancelled}, the cause being that Command as JSON (as AWS's .sync integrations give the job's
 * description).
 */
final class CommandWaits implements CommandListener {
    private final Jdbi jdbi;
    private final Host host;
    private final LocalCalls calls;

    CommandWaits(Jdbi jdbi, Host host, LocalCalls calls) {
        this.jdbi = jdbi;
        this.host = host;
        this.calls = calls;
    }

    /**
     * Sends the command for the task and records that the task waits for it; answers SendCommand's answer (the
     * task's TaskSubmitted output). A command that ended during its send answers the task at once.
     */
    JsonNode send(String executionArn, String taskId, JsonNode parameters) {
        JsonNode sent = calls.call("AmazonSSM.SendCommand", parameters, "Ssm");
        String commandId = sent.path("Command").path("CommandId").asText();
        jdbi.useHandle(h -> {
            h.createUpdate("INSERT INTO sfn_command_waits (command_id, execution_arn, task_id)"
                            + " VALUES (:command, :arn, :task)")
                    .bind("command", commandId)
                    .bind("arn", executionArn)
                    .bind("task", taskId)
                    .execute();
            String status = command(commandId).path("Status").asText();
            if (ended(status)) {
                complete(h, commandId, status);
            }
        });
        return sent;
    }

    @Override
    public void commandChanged(Handle handle, CommandChange change) {
        if (ended(change.status())) {
            complete(handle, change.commandId(), change.status());
        }
    }

    @Override
    public void invocationChanged(Handle handle, InvocationChange change) {}

    private static boolean ended(String status) {
        return status.equals("Success")
                || status.equals("Failed")
                || status.equals("TimedOut")
                || status.equals("Cancelled");
    }

    private void complete(Handle h, String commandId, String status) {
        Optional<String[]> waiting = h.createQuery("DELETE FROM sfn_command_waits WHERE command_id = :command"
                        + " RETURNING execution_arn, task_id")
                .bind("command", commandId)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                .findOne();
        if (waiting.isEmpty()) {
            return;
        }
        JsonNode command = command(commandId);
        String taskId = waiting.get()[1];
        Signal answer =
                switch (status) {
                    case "Success" -> new Signal.TaskSucceeded(taskId, command);
                    case "TimedOut" -> new Signal.TaskFailed(taskId, "Ssm.CommandTimedOut", command.toString());
                    case "Cancelled" -> new Signal.TaskFailed(taskId, "Ssm.CommandCancelled", command.toString());
                    default -> new Signal.TaskFailed(taskId, "Ssm.CommandFailed", command.toString());
                };
        host.signal(h, waiting.get()[0], answer);
    }

    /** The command as ListCommands shows it, read in the caller's transaction (which may have just changed it). */
    private JsonNode command(String commandId) {
        try {
            JsonNode listed = calls.call(
                    "AmazonSSM.ListCommands",
                    ApiJson.documents().createObjectNode().put("CommandId", commandId),
                    "Ssm");
            return listed.path("Commands").path(0);
        } catch (StatesError e) {
            throw new IllegalStateException("command " + commandId + " cannot be listed: " + e.cause(), e);
        }
    }
}
