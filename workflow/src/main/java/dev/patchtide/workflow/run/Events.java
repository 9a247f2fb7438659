package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.definition.State;
import java.util.Map;

/** The {@code *EventDetails} members, shaped as botocore's stepfunctions model has them. */
final class Events {
    private Events() {}

    static String prefix(State state) {
        return switch (state) {
            case State.Pass ignored -> "Pass";
            case State.Task ignored -> "Task";
            case State.Choice ignored -> "Choice";
            case State.Wait ignored -> "Wait";
            case State.Succeed ignored -> "Succeed";
            case State.Fail ignored -> "Fail";
            case State.Parallel ignored -> "Parallel";
            case State.Map ignored -> "Map";
        };
    }

    static ObjectNode untruncated() {
        return Flow.NODES.objectNode().put("truncated", false);
    }

    static ObjectNode entered(String name, String input) {
        ObjectNode details = Flow.NODES.objectNode();
        details.put("name", name);
        details.put("input", input);
        details.set("inputDetails", untruncated());
        return details;
    }

    static ObjectNode exited(String name, String output, Map<String, JsonNode> assigned) {
        ObjectNode details = Flow.NODES.objectNode();
        details.put("name", name);
        details.put("output", output);
        details.set("outputDetails", untruncated());
        if (assigned != null && !assigned.isEmpty()) {
            ObjectNode variables = details.putObject("assignedVariables");
            assigned.forEach((key, value) -> variables.put(key, value.toString()));
            details.set("assignedVariablesDetails", untruncated());
        }
        return details;
    }

    static ObjectNode errorCause(String error, String cause) {
        ObjectNode details = Flow.NODES.objectNode();
        if (error != null) {
            details.put("error", error);
        }
        if (cause != null) {
            details.put("cause", cause);
        }
        return details;
    }

    static ObjectNode iteration(String name, int index) {
        ObjectNode details = Flow.NODES.objectNode();
        details.put("name", name);
        details.put("index", index);
        return details;
    }
}
