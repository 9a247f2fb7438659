package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import java.util.List;
import java.util.Optional;

/** The task resources this server can call, one {@link Integration} per family; the first that serves one calls it. */
final class Integrations {
    private final List<Integration> families;

    Integrations(List<Integration> families) {
        this.families = List.copyOf(families);
    }

    JsonNode call(Effect.RunTask task) {
        return call("", task);
    }

    JsonNode call(String executionArn, Effect.RunTask task) {
        Optional<Integration> family = family(task);
        if (family.isPresent()) {
            return family.get().call(executionArn, task);
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

    /** True when the task's call leaves this server (see {@link Integration#outward()}). */
    boolean outward(Effect.RunTask task) {
        return family(task).map(Integration::outward).orElse(false);
    }

    private Optional<Integration> family(Effect.RunTask task) {
        return families.stream().filter(f -> f.serves(task.resource())).findFirst();
    }
}
