package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import java.util.Optional;

/**
 * {@code arn:aws:states:::patchtide:approval.waitForTaskToken}, Patchtide's built-in approval: Parameters
 * {@code TopicArn}, {@code Message}, {@code TaskToken} (the {@code $$.Task.Token}) and optionally {@code Subject},
 * {@code Approvers}, {@code ReminderAfterSeconds}, {@code DeadlineSeconds}, {@code EscalationTopicArn}. The task
 * waits until a person follows the approve link ({@code {"Decision": "approve", "By"?, "At"}}) or the reject link
 * (error {@code Approval.Rejected}), or until the state's TimeoutSeconds ({@code States.Timeout}).
 */
final class ApprovalIntegration implements Integration {
    static final String RESOURCE = "arn:aws:states:::patchtide:approval";

    private final Approvals approvals;

    ApprovalIntegration(Approvals approvals) {
        this.approvals = approvals;
    }

    @Override
    public boolean serves(String resource) {
        return resource.equals(RESOURCE);
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        throw new StatesError(StatesError.RUNTIME, "EXPRESS state machines do not support WAIT_FOR_TASK_TOKEN");
    }

    @Override
    public JsonNode call(String executionArn, Effect.RunTask task) {
        if (task.pattern() != Effect.Pattern.WAIT_FOR_TASK_TOKEN || executionArn.isEmpty()) {
            throw new StatesError(
                    StatesError.RUNTIME, "The resource " + RESOURCE + " is used as " + RESOURCE + ".waitForTaskToken");
        }
        if (!approvals.links().bound()) {
            throw new StatesError("Approval.Unavailable", "Approval links need this server's web routes.");
        }
        JsonNode p = task.parameters();
        String topic = text(p, "TopicArn").orElseThrow(() -> invalid("TopicArn is required"));
        String message = text(p, "Message").orElseThrow(() -> invalid("Message is required"));
        String token = text(p, "TaskToken")
                .or(task::taskToken)
                .orElseThrow(() -> invalid("TaskToken is required: pass $$.Task.Token"));
        if (task.taskToken().isPresent() && !task.taskToken().get().equals(token)) {
            throw invalid("TaskToken must be this task's token ($$.Task.Token)");
        }
        Optional<String> approvers = Optional.ofNullable(p.get("Approvers"))
                .filter(a -> !a.isNull())
                .map(a -> a.isArray() ? join(a) : a.asText());
        Optional<Long> reminder = Approvals.seconds(p, "ReminderAfterSeconds");
        Optional<Long> deadline = Approvals.seconds(p, "DeadlineSeconds");
        if (reminder.filter(s -> s < 1).isPresent()
                || deadline.filter(s -> s < 1).isPresent()) {
            throw invalid("ReminderAfterSeconds and DeadlineSeconds must be at least 1");
        }
        String id = approvals.ask(new Approvals.Request(
                token,
                executionArn,
                topic,
                text(p, "Subject").orElse(null),
                message,
                approvers,
                reminder,
                deadline,
                text(p, "EscalationTopicArn")));
        return ApiJson.documents().createObjectNode().put("ApprovalId", id);
    }

    private static Optional<String> text(JsonNode p, String name) {
        JsonNode v = p.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        return Optional.of(v.isTextual() ? v.asText() : v.toString());
    }

    private static String join(JsonNode array) {
        StringBuilder b = new StringBuilder();
        array.forEach(a -> b.append(b.isEmpty() ? "" : ", ").append(a.asText()));
        return b.toString();
    }

    private static StatesError invalid(String why) {
        return new StatesError("Approval.InvalidParameters", why);
    }
}
