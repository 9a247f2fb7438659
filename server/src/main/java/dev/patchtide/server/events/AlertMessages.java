package dev.patchtide.server.events;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.util.List;
import java.util.regex.Pattern;

/** Shapes of Patchtide's built-in alert actions ({@code Patchtide.EnableBuiltInAlert} and friends). */
final class AlertMessages {
    private AlertMessages() {}

    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9_-]{1,256}");

    record EnableBuiltInAlertRequest(String alert, String topic, String remindAfter) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("alert", alert).required("topic", topic).length("topic", topic, 1, 1600);
            v.check(
                    topic == null
                            || topic.startsWith("arn:aws:sns:")
                            || TOPIC_NAME.matcher(topic).matches(),
                    "Value at 'topic' failed to satisfy constraint: a topic name or an arn:aws:sns: ARN");
            v.length("remindAfter", remindAfter, 1, 64);
        }
    }

    record AlertRequest(String alert) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("alert", alert);
        }
    }

    record Empty() {}

    record ListBuiltInAlertsRequest() implements ApiRequest {
        @Override
        public void validate(Validation v) {}
    }

    /**
     * One built-in alert: whether it is on, its rule (an ordinary EventBridge rule) and, when on, the topic
     * it sends to and its reminder period.
     */
    record BuiltInAlert(
            String alert,
            String description,
            boolean enabled,
            String ruleName,
            String ruleArn,
            String eventPattern,
            String topicArn,
            String remindAfter) {}

    record ListBuiltInAlertsResponse(List<BuiltInAlert> alerts) {}
}
