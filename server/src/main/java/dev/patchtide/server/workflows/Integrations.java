package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import java.util.List;

/** The task resources this server can call, one {@link Integration} per family; the first that serves one calls it. */
final class Integrations {
    private final List<Integration> families;

    Integrations(List<Integration> families) {
        this.families = List.copyOf(families);
    }

    JsonNode call(Effect.RunTask task) {
        return call(task, "");
    }

    JsonNode call(Effect.RunTask task, String executionArn) {
        for (Integration family : families) {
            if (family.serves(task.resource())) {
                return family.call(task, executionArn);
            }
        }
        if (task.resource().startsWith("arn:aws:lambda:")) {
            throw new StatesError(
                    "Lambda.ResourceNotFoundException",
                    "Function not found: " + task.resource() + " (Service: AWSLambda; Status Code: 404; Error Code:"
                            + " ResourceNotFoundException)");
        }
        throw new StatesError(
                StatesError.TASK_FAILED, "The resource " + task.resource() + " is not available on this server");
    }
}
