package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskFailureRequest;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskHeartbeatRequest;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskSuccessRequest;
import dev.patchtide.workflow.run.Signal;
import java.sql.Timestamp;
import java.time.InstantSource;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: a token names (execution, task); its answer becomes the
 * task's signal in one transaction with the token's closing, so a token is answered once however many callers
 * race. A token whose task already ended answers TaskTimedOut, as AWS does; one never issued, InvalidToken.
 */
final class TaskTokens {
    private final Jdbi jdbi;
    private final Host host;
    private final InstantSource clock;

    TaskTokens(Jdbi jdbi, Host host, InstantSource clock) {
        this.jdbi = jdbi;
        this.host = host;
        this.clock = clock;
    }

    private record Token(String executionArn, String taskId, boolean closed) {}

    void success(SendTaskSuccessRequest q) {
        JsonNode output = parseOutput(q.output());
        jdbi.useTransaction(h -> {
            Token t = close(h, q.taskToken());
            host.signal(h, t.executionArn(), new Signal.TaskSucceeded(t.taskId(), output));
        });
    }

    void failure(SendTaskFailureRequest q) {
        jdbi.useTransaction(h -> {
            Token t = close(h, q.taskToken());
            host.signal(h, t.executionArn(), new Signal.TaskFailed(t.taskId(), q.error(), q.cause()));
        });
    }

    void heartbeat(SendTaskHeartbeatRequest q) {
        jdbi.useTransaction(h -> {
            Token t = open(h, q.taskToken());
            host.signal(h, t.executionArn(), new Signal.TaskHeartbeat(t.taskId()));
        });
    }

    private Token close(Handle h, String token) {
        Token t = open(h, token);
        h.createUpdate("UPDATE sfn_task_tokens SET closed_at = :now WHERE token = :token")
                .bind("now", Timestamp.from(clock.instant()))
                .bind("token", token)
                .execute();
        return t;
    }

    /** The open token, locked; or the error AWS gives for a token that is unknown or whose task ended. */
    private static Token open(Handle h, String token) {
        Optional<Token> found = h.createQuery("SELECT execution_arn, task_id, closed_at IS NOT NULL AS closed"
                        + " FROM sfn_task_tokens WHERE token = :token FOR UPDATE")
                .bind("token", token)
                .map((rs, ctx) -> new Token(rs.getString(1), rs.getString(2), rs.getBoolean(3)))
                .findOne();
        if (found.isEmpty()) {
            throw new ApiException.Invalid("InvalidToken", "Invalid Token: 'Invalid token'");
        }
        if (found.get().closed()) {
            throw new ApiException.Invalid("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
        }
        return found.get();
    }

    private static JsonNode parseOutput(String output) {
        try {
            JsonNode node = dev.patchtide.server.api.ApiJson.documents().readTree(output);
            if (node == null || node.isMissingNode()) {
                throw new ApiException.Invalid("InvalidOutput", "Invalid Output: 'empty output'");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException.Invalid(
                    "InvalidOutput",
                    "Invalid Output: '" + dev.patchtide.server.api.Validation.clip(e.getOriginalMessage()) + "'");
        }
    }
}
