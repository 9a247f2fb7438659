package dev.patchtide.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.auth.Principal;
import java.util.Optional;

/**
 * The JSON behind the Commands and Maintenance windows pages, made of the features' own actions (ListCommands,
 * GetCommandInvocation, DescribeMaintenanceWindows, ...) run as the session's admin key: the same checks,
 * shapes and errors as the API, and nothing here that knows how commands or windows are stored.
 */
final class OperationsData {
    static final int COMMANDS_PER_PAGE = 25;
    static final int INVOCATIONS_PER_PAGE = 50;
    static final int WINDOWS_PER_PAGE = 20;
    static final int NEXT_RUNS = 5;
    /** The least DescribeMaintenanceWindowExecutions accepts as MaxResults, which is also enough to show. */
    static final int EXECUTIONS = 10;

    private final ApiRouter router;
    private final ObjectMapper json;

    OperationsData(ApiRouter router, ObjectMapper json) {
        this.router = router;
        this.json = json;
    }

    /** Recent commands, newest first, a page at a time. */
    JsonNode commands(Optional<String> nextToken, Principal admin) {
        ObjectNode request = json.createObjectNode().put("MaxResults", COMMANDS_PER_PAGE);
        nextToken.ifPresent(t -> request.put("NextToken", t));
        return call("AmazonSSM.ListCommands", request, admin);
    }

    /** One command with a page of its invocations, each as GetCommandInvocation has it (exit code, output). */
    JsonNode command(String commandId, Optional<String> nextToken, Principal admin) {
        JsonNode found = call("AmazonSSM.ListCommands", json.createObjectNode().put("CommandId", commandId), admin)
                .path("Commands");
        if (found.isEmpty()) {
            throw new ApiException.NotFound("InvalidCommandId", "Command " + commandId + " was not found.");
        }
        ObjectNode request =
                json.createObjectNode().put("CommandId", commandId).put("MaxResults", INVOCATIONS_PER_PAGE);
        nextToken.ifPresent(t -> request.put("NextToken", t));
        JsonNode page = call("AmazonSSM.ListCommandInvocations", request, admin);
        ArrayNode invocations = json.createArrayNode();
        for (JsonNode listed : page.path("CommandInvocations")) {
            ObjectNode invocation = (ObjectNode) call(
                    "AmazonSSM.GetCommandInvocation",
                    json.createObjectNode()
                            .put("CommandId", commandId)
                            .put("InstanceId", listed.path("InstanceId").asText()),
                    admin);
            invocation.set("InstanceName", listed.path("InstanceName"));
            invocations.add(invocation);
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("Command", found.get(0));
        answer.set("Invocations", invocations);
        copyNextToken(page, answer);
        return answer;
    }

    /** A page of windows, each with its next runs and its recent executions with their tasks' statuses. */
    JsonNode windows(Optional<String> nextToken, Principal admin) {
        ObjectNode request = json.createObjectNode().put("MaxResults", WINDOWS_PER_PAGE);
        nextToken.ifPresent(t -> request.put("NextToken", t));
        JsonNode page = call("AmazonSSM.DescribeMaintenanceWindows", request, admin);
        ArrayNode windows = json.createArrayNode();
        for (JsonNode identity : page.path("WindowIdentities")) {
            ObjectNode window = identity.deepCopy();
            String id = identity.path("WindowId").asText();
            window.set(
                    "NextRuns",
                    call(
                                    "AmazonSSM.DescribeMaintenanceWindowSchedule",
                                    json.createObjectNode().put("WindowId", id).put("MaxResults", NEXT_RUNS),
                                    admin)
                            .path("ScheduledWindowExecutions"));
            ArrayNode executions = json.createArrayNode();
            JsonNode described = call(
                    "AmazonSSM.DescribeMaintenanceWindowExecutions",
                    json.createObjectNode().put("WindowId", id).put("MaxResults", EXECUTIONS),
                    admin);
            for (JsonNode execution : described.path("WindowExecutions")) {
                ObjectNode withTasks = execution.deepCopy();
                withTasks.set(
                        "Tasks",
                        call(
                                        "AmazonSSM.DescribeMaintenanceWindowExecutionTasks",
                                        json.createObjectNode()
                                                .put(
                                                        "WindowExecutionId",
                                                        execution
                                                                .path("WindowExecutionId")
                                                                .asText()),
                                        admin)
                                .path("WindowExecutionTaskIdentities"));
                executions.add(withTasks);
            }
            window.set("Executions", executions);
            windows.add(window);
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("Windows", windows);
        copyNextToken(page, answer);
        return answer;
    }

    private static void copyNextToken(JsonNode page, ObjectNode answer) {
        if (page.path("NextToken").isTextual()) {
            answer.put("NextToken", page.path("NextToken").asText());
        }
    }

    private JsonNode call(String target, ObjectNode request, Principal admin) {
        return json.valueToTree(router.invoke(target, request, admin));
    }
}
