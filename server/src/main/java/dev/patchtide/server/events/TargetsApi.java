package dev.patchtide.server.events;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.events.TargetMessages.FailedEntry;
import dev.patchtide.server.events.TargetMessages.ListRuleNamesByTargetRequest;
import dev.patchtide.server.events.TargetMessages.ListRuleNamesByTargetResponse;
import dev.patchtide.server.events.TargetMessages.ListTargetsByRuleRequest;
import dev.patchtide.server.events.TargetMessages.ListTargetsByRuleResponse;
import dev.patchtide.server.events.TargetMessages.PutTargetsRequest;
import dev.patchtide.server.events.TargetMessages.PutTargetsResponse;
import dev.patchtide.server.events.TargetMessages.RemoveTargetsRequest;
import dev.patchtide.server.events.TargetMessages.RemoveTargetsResponse;
import dev.patchtide.server.events.TargetMessages.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/** PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget. */
final class TargetsApi {
    /** EventBridge's quota of targets per rule. */
    static final int MAX_TARGETS_PER_RULE = 5;

    private final Jdbi jdbi;
    private final Targets targets;

    TargetsApi(Jdbi jdbi, Targets targets) {
        this.jdbi = jdbi;
        this.targets = targets;
    }

    PutTargetsResponse put(PutTargetsRequest q) {
        String bus = EventsArns.busName(q.eventBusName());
        Set<String> ids = new HashSet<>();
        for (Target t : q.targets()) {
            if (!ids.add(t.id())) {
                throw ApiException.validation("Target id " + t.id() + " is given more than once.");
            }
        }
        return jdbi.inTransaction(h -> {
            Rules.lockBus(h, bus);
            Rules.requireRule(h, bus, q.rule());
            List<FailedEntry> failed = new ArrayList<>();
            for (Target t : q.targets()) {
                Optional<String> problem = problem(t);
                if (problem.isPresent()) {
                    failed.add(new FailedEntry(t.id(), "ValidationException", problem.get()));
                    continue;
                }
                targets.put(h, bus, q.rule(), t);
                if (targets.count(h, bus, q.rule()) > MAX_TARGETS_PER_RULE) {
                    targets.remove(h, bus, q.rule(), t.id());
                    failed.add(new FailedEntry(
                            t.id(),
                            "LimitExceededException",
                            "Rule " + q.rule() + " can have at most " + MAX_TARGETS_PER_RULE + " targets."));
                }
            }
            return new PutTargetsResponse(failed.size(), failed);
        });
    }

    /** What is wrong with a target, checked per entry as EventBridge does. */
    static Optional<String> problem(Target t) {
        if (!t.arn().startsWith("arn:") || t.arn().split(":", 6).length < 6) {
            return Optional.of(
                    "Parameter " + t.arn() + " is not valid. Reason: Provided Arn is not in correct format.");
        }
        int inputs =
                (t.input() != null ? 1 : 0) + (t.inputPath() != null ? 1 : 0) + (t.inputTransformer() != null ? 1 : 0);
        if (inputs > 1) {
            return Optional.of("Only one of Input, InputPath, or InputTransformer must be provided.");
        }
        if (t.input() != null && !isJson(t.input())) {
            return Optional.of("Parameter Input is not valid. Reason: Input must be valid JSON text.");
        }
        if (t.inputPath() != null && !JsonPaths.valid(t.inputPath())) {
            return Optional.of(
                    "Parameter InputPath is not valid. Reason: " + t.inputPath() + " is not a valid JSON path.");
        }
        if (t.inputTransformer() != null && t.inputTransformer().inputPathsMap() != null) {
            for (var e : t.inputTransformer().inputPathsMap().entrySet()) {
                if (e.getKey().startsWith("aws.")) {
                    return Optional.of(
                            "InputPathsMap key " + e.getKey() + " is reserved: keys cannot start with 'aws.'.");
                }
                if (!JsonPaths.valid(e.getValue())) {
                    return Optional.of("Parameter InputPathsMap is not valid. Reason: " + e.getValue()
                            + " is not a valid JSON path.");
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isJson(String text) {
        try {
            EventEnvelope.JSON.readTree(text);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    RemoveTargetsResponse remove(RemoveTargetsRequest q) {
        String bus = EventsArns.busName(q.eventBusName());
        return jdbi.inTransaction(h -> {
            Rules.lockBus(h, bus);
            Rules.requireRule(h, bus, q.rule());
            for (String id : q.ids()) {
                targets.remove(h, bus, q.rule(), id);
            }
            return new RemoveTargetsResponse(0, List.of());
        });
    }

    ListTargetsByRuleResponse list(ListTargetsByRuleRequest q) {
        String bus = EventsArns.busName(q.eventBusName());
        int limit = Objects.requireNonNullElse(q.limit(), 100);
        String listing = "targets/" + bus + "/" + q.rule();
        String after = PageToken.decode(listing, q.nextToken()).orElse("");
        return jdbi.inTransaction(h -> {
            Rules.requireBus(h, bus);
            Rules.requireRule(h, bus, q.rule());
            List<Target> page = targets.list(h, bus, q.rule(), after, limit + 1);
            if (page.size() <= limit) {
                return new ListTargetsByRuleResponse(page, null);
            }
            List<Target> shown = page.subList(0, limit);
            return new ListTargetsByRuleResponse(
                    shown, PageToken.encode(listing, shown.getLast().id()));
        });
    }

    ListRuleNamesByTargetResponse rulesByTarget(ListRuleNamesByTargetRequest q) {
        String bus = EventsArns.busName(q.eventBusName());
        int limit = Objects.requireNonNullElse(q.limit(), 100);
        String listing = "rules-by-target/" + bus + "/" + q.targetArn();
        String after = PageToken.decode(listing, q.nextToken()).orElse("");
        return jdbi.inTransaction(h -> {
            Rules.requireBus(h, bus);
            List<String> page = targets.rulesByTarget(h, bus, q.targetArn(), after, limit + 1);
            if (page.size() <= limit) {
                return new ListRuleNamesByTargetResponse(page, null);
            }
            List<String> shown = page.subList(0, limit);
            return new ListRuleNamesByTargetResponse(shown, PageToken.encode(listing, shown.getLast()));
        });
    }
}
