package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import java.util.Map;

/**
 * {@code arn:aws:states:::states:startExecution}: starts an execution of a state machine of this server, in the
 * transaction of the parent's task. {@code Input} may be JSON (it is sent as its text; absent, {@code {}}), and is
 * passed unchanged, so {@code AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID} arrives as the parent set it, as at AWS.
 * The answer is StartExecution's, with the metadata AWS's optimized integrations add and dates in epoch
 * milliseconds. With {@code .sync} / {@code .sync:2} the parent then waits for the child (see
 * {@link ChildExecutions}); with {@code .waitForTaskToken}, for a SendTask*.
 */
final class StatesIntegration implements Integration {
    static final String RESOURCE = "arn:aws:states:::states:startExecution";

    private final LocalCalls calls;
    private final ChildExecutions children;

    StatesIntegration(LocalCalls calls, ChildExecutions children) {
        this.calls = calls;
        this.children = children;
    }

    @Override
    public boolean serves(String resource) {
        return resource.equals(RESOURCE);
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        throw new IllegalStateException("startExecution needs the calling execution");
    }

    @Override
    public JsonNode call(String executionArn, Effect.RunTask task) {
        JsonNode p = task.parameters();
        if (!p.isObject()) {
            throw new StatesError(StatesError.RUNTIME, "The parameters of " + RESOURCE + " must be an object");
        }
        boolean sync = task.pattern() == Effect.Pattern.RUN_JOB || task.pattern() == Effect.Pattern.RUN_JOB_V2;
        if (sync && isExpress(p.path("StateMachineArn").asText())) {
            // An EXPRESS child runs in memory on one node and has no durable end to wait for.
            throw new StatesError(
                    "StepFunctions.StateMachineTypeNotSupportedException",
                    "This server cannot wait for an EXPRESS execution (.sync); start it without .sync or use a"
                            + " STANDARD state machine");
        }
        ObjectNode request = ApiJson.documents().createObjectNode();
        request.set("stateMachineArn", p.get("StateMachineArn"));
        if (p.hasNonNull("Name")) {
            request.set("name", p.get("Name"));
        }
        JsonNode input = p.get("Input");
        request.put(
                "input",
                input == null || input.isNull() ? "{}" : input.isTextual() ? input.asText() : input.toString());
        if (p.hasNonNull("TraceHeader")) {
            request.set("traceHeader", p.get("TraceHeader"));
        }
        JsonNode started = calls.call("AWSStepFunctions.StartExecution", request, "StepFunctions");
        String childArn = started.path("executionArn").asText();
        if (sync) {
            children.await(executionArn, task.taskId(), childArn, task.pattern());
        }
        ObjectNode out = ApiJson.documents().createObjectNode();
        out.put("ExecutionArn", childArn);
        ObjectNode metadata = LocalCalls.withSdkMetadata(ApiJson.documents().createObjectNode());
        out.set("SdkHttpMetadata", metadata.get("SdkHttpMetadata"));
        out.set("SdkResponseMetadata", metadata.get("SdkResponseMetadata"));
        out.put("StartDate", millis(started.path("startDate")));
        return out;
    }

    private boolean isExpress(String machineArn) {
        ObjectNode q = ApiJson.documents().createObjectNode().put("stateMachineArn", machineArn);
        JsonNode machine = calls.call("AWSStepFunctions.DescribeStateMachine", q, "StepFunctions");
        return "EXPRESS".equals(machine.path("type").asText());
    }

    /** A wire date (epoch seconds with a fraction) in epoch milliseconds, as the optimized integrations give them. */
    static long millis(JsonNode epochSeconds) {
        return epochSeconds
                .decimalValue()
                .movePointRight(3)
                .setScale(0, java.math.RoundingMode.HALF_UP)
                .longValue();
    }

    /**
     * DescribeExecution's answer as {@code .sync} gives it: members in PascalCase, dates in epoch milliseconds, and
     * with {@code .sync:2} the input and output as JSON rather than text.
     */
    static ObjectNode described(JsonNode describe, boolean json) {
        ObjectNode out = ApiJson.documents().createObjectNode();
        for (Map.Entry<String, JsonNode> field : describe.properties()) {
            String name = Character.toUpperCase(field.getKey().charAt(0))
                    + field.getKey().substring(1);
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            if (name.equals("StartDate") || name.equals("StopDate")) {
                out.put(name, millis(value));
            } else if (json && (name.equals("Input") || name.equals("Output")) && value.isTextual()) {
                out.set(name, parse(value.asText()));
            } else if (value.isObject()) {
                out.set(name, described(value, false));
            } else {
                out.set(name, value);
            }
        }
        return out;
    }

    private static JsonNode parse(String text) {
        try {
            return ApiJson.documents().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ApiJson.documents().getNodeFactory().textNode(text);
        }
    }
}
