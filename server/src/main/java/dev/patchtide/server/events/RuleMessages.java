package dev.patchtide.server.events;

import static dev.patchtide.server.events.BusMessages.BUS_NAME_OR_ARN;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.Tag;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Shapes of the rule actions and TestEventPattern, as in EventBridge's service model. */
final class RuleMessages {
    private RuleMessages() {}

    static final Pattern RULE_NAME = Pattern.compile("[\\.\\-_A-Za-z0-9]+");
    static final Set<String> STATES = Set.of("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");

    static void ruleName(Validation v, String field, String name) {
        v.required(field, name).length(field, name, 1, 64).pattern(field, name, RULE_NAME);
    }

    static void busName(Validation v, String busName) {
        v.length("eventBusName", busName, 1, 1600).pattern("eventBusName", busName, BUS_NAME_OR_ARN);
    }

    record PutRuleRequest(
            String name,
            String scheduleExpression,
            String eventPattern,
            String state,
            String description,
            String roleArn,
            List<Tag> tags,
            String eventBusName)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            ruleName(v, "name", name);
            v.length("scheduleExpression", scheduleExpression, 0, 256)
                    .length("eventPattern", eventPattern, 0, 4096)
                    .oneOf("state", state, STATES)
                    .length("description", description, 0, 512)
                    .length("roleArn", roleArn, 1, 1600);
            BusMessages.validateTags(tags, v);
            busName(v, eventBusName);
        }
    }

    record PutRuleResponse(String ruleArn) {}

    /** DescribeRule, EnableRule, DisableRule. */
    record RuleRequest(String name, String eventBusName) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            ruleName(v, "name", name);
            busName(v, eventBusName);
        }
    }

    record DeleteRuleRequest(String name, String eventBusName, Boolean force) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            ruleName(v, "name", name);
            busName(v, eventBusName);
        }
    }

    record DescribeRuleResponse(
            String name,
            String arn,
            String eventPattern,
            String scheduleExpression,
            String state,
            String description,
            String roleArn,
            String managedBy,
            String eventBusName,
            String createdBy) {}

    record ListRulesRequest(String namePrefix, String eventBusName, String nextToken, Integer limit)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("namePrefix", namePrefix, 1, 64)
                    .pattern("namePrefix", namePrefix, RULE_NAME)
                    .length("nextToken", nextToken, 1, 2048)
                    .range("limit", limit, 1, 100);
            busName(v, eventBusName);
        }
    }

    record Rule(
            String name,
            String arn,
            String eventPattern,
            String state,
            String description,
            String scheduleExpression,
            String roleArn,
            String managedBy,
            String eventBusName) {}

    record ListRulesResponse(List<Rule> rules, String nextToken) {}

    record TestEventPatternRequest(String eventPattern, String event) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("eventPattern", eventPattern)
                    .length("eventPattern", eventPattern, 0, 4096)
                    .required("event", event);
        }
    }

    record TestEventPatternResponse(boolean result) {}
}
