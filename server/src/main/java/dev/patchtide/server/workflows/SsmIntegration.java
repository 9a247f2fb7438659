package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;

/**
 * {@code arn:aws:states:::aws-sdk:ssm:<action>}: Systems Manager's actions of this server (sendCommand,
 * getCommandInvocation, describeInstanceInformation, ...), parameters in PascalCase as the API takes them, the
 * API's answer as the result, errors {@code Ssm.<Code>Exception}. {@code sendCommand.sync} (a Patchtide extension)
 * waits for the command to end: see {@link CommandWaits}.
 */
final class SsmIntegration implements Integration {
    private static final String PREFIX = "arn:aws:states:::aws-sdk:ssm:";

    private final LocalCalls calls;
    private final CommandWaits commandWaits;

    SsmIntegration(LocalCalls calls, CommandWaits commandWaits) {
        this.calls = calls;
        this.commandWaits = commandWaits;
    }

    @Override
    public boolean serves(String resource) {
        return resource.startsWith(PREFIX) && resource.length() > PREFIX.length();
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        return call("", task);
    }

    @Override
    public JsonNode call(String executionArn, Effect.RunTask task) {
        String action = task.resource().substring(PREFIX.length());
        String target = "AmazonSSM." + Character.toUpperCase(action.charAt(0)) + action.substring(1);
        if (task.pattern() == Effect.Pattern.RUN_JOB && action.equals("sendCommand")) {
            if (executionArn.isEmpty()) {
                throw new StatesError(StatesError.RUNTIME, "EXPRESS state machines do not support RUN_JOB");
            }
            return commandWaits.send(executionArn, task.taskId(), task.parameters());
        }
        if (task.pattern() != Effect.Pattern.REQUEST_RESPONSE && task.pattern() != Effect.Pattern.WAIT_FOR_TASK_TOKEN) {
            throw new StatesError(StatesError.RUNTIME, "The resource " + task.resource() + " has no .sync pattern");
        }
        return calls.call(target, task.parameters(), "Ssm");
    }
}
