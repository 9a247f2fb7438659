package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.delivery.Delivery;
import dev.patchtide.server.delivery.RetryPolicy;
import dev.patchtide.server.events.TargetMessages.Target;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a target and its rendered input into an outbox {@link Delivery}, by the kind of its ARN: SNS
 * topics ({@code sns-topic}) and API destinations ({@code api-destination}, with its HttpParameters as an
 * attribute) and Step Functions state machines ({@code state-machine}, started with the input). Other targets are
 * stored but not delivered yet.
 */
final class TargetDelivery {
    private TargetDelivery() {}

    static final String SNS_TOPIC = "sns-topic";
    static final String API_DESTINATION = "api-destination";
    static final String STATE_MACHINE = "state-machine";

    static Optional<String> kind(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length < 6 || !parts[0].equals("arn")) {
            return Optional.empty();
        }
        if (parts[2].equals("sns")) {
            return Optional.of(SNS_TOPIC);
        }
        if (parts[2].equals("events") && parts[5].startsWith("api-destination/")) {
            return Optional.of(API_DESTINATION);
        }
        if (parts[2].equals("states") && parts[5].startsWith("stateMachine:")) {
            return Optional.of(STATE_MACHINE);
        }
        return Optional.empty();
    }

    static Optional<Delivery> of(Target target, String payload, String ruleArn) {
        return kind(target.arn())
                .map(kind -> new Delivery(
                        kind, target.arn(), payload, attributes(kind, target), ruleArn, retryPolicy(target)));
    }

    static RetryPolicy retryPolicy(Target target) {
        if (target.retryPolicy() == null) {
            return RetryPolicy.DEFAULT;
        }
        Integer attempts = target.retryPolicy().maximumRetryAttempts();
        Integer age = target.retryPolicy().maximumEventAgeInSeconds();
        return new RetryPolicy(
                attempts == null ? RetryPolicy.DEFAULT.maximumRetryAttempts() : attempts,
                age == null ? RetryPolicy.DEFAULT.maximumEventAge() : Duration.ofSeconds(age));
    }

    private static Map<String, String> attributes(String kind, Target target) {
        JsonNode httpParameters = target.httpParameters();
        if (kind.equals(API_DESTINATION) && httpParameters != null && !httpParameters.isNull()) {
            return Map.of("HttpParameters", TargetInput.text(httpParameters));
        }
        if (kind.equals(SNS_TOPIC) && target.dedupePolicy() != null) {
            return Map.of("DedupePolicy", target.dedupePolicy());
        }
        return Map.of();
    }
}
