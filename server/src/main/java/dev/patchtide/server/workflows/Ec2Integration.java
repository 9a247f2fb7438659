package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.fleet.Ec2View;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import java.util.UUID;

/**
 * {@code arn:aws:states:::aws-sdk:ec2:describeInstances}, {@code describeTags} and {@code createTags}, answered
 * from the fleet's managed instances (see {@link Ec2View}). EC2's SDK models no exception per error code, so AWS
 * names every failure {@code Ec2.Ec2Exception} and puts the code in the cause; so does this.
 */
final class Ec2Integration implements Integration {
    private static final String PREFIX = "arn:aws:states:::aws-sdk:ec2:";

    private final Ec2View ec2;

    Ec2Integration(Ec2View ec2) {
        this.ec2 = ec2;
    }

    @Override
    public boolean serves(String resource) {
        return resource.startsWith(PREFIX) && resource.length() > PREFIX.length();
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        if (task.pattern() != Effect.Pattern.REQUEST_RESPONSE && task.pattern() != Effect.Pattern.WAIT_FOR_TASK_TOKEN) {
            throw new StatesError(StatesError.RUNTIME, "The resource " + task.resource() + " has no such pattern");
        }
        String action = task.resource().substring(PREFIX.length());
        try {
            return switch (action) {
                case "describeInstances" -> ec2.describeInstances(task.parameters());
                case "describeTags" -> ec2.describeTags(task.parameters());
                case "createTags" -> ec2.createTags(task.parameters());
                default ->
                    throw new StatesError(
                            StatesError.RUNTIME,
                            "The resource " + task.resource() + " is not an EC2 action this server answers"
                                    + " (describeInstances, describeTags, createTags)");
            };
        } catch (ApiException e) {
            throw new StatesError(
                    "Ec2.Ec2Exception",
                    e.getMessage() + " (Service: Ec2, Status Code: 400, Request ID: " + UUID.randomUUID() + ")");
        }
    }
}
