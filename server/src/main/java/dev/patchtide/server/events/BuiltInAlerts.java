package dev.patchtide.server.events;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.compliance.ComplianceEvents;
import dev.patchtide.server.events.AlertMessages.AlertRequest;
import dev.patchtide.server.events.AlertMessages.BuiltInAlert;
import dev.patchtide.server.events.AlertMessages.EnableBuiltInAlertRequest;
import dev.patchtide.server.events.AlertMessages.ListBuiltInAlertsRequest;
import dev.patchtide.server.events.AlertMessages.ListBuiltInAlertsResponse;
import dev.patchtide.server.events.RuleMessages.DescribeRuleResponse;
import dev.patchtide.server.events.RuleMessages.PutRuleRequest;
import dev.patchtide.server.events.TargetMessages.ListTargetsByRuleRequest;
import dev.patchtide.server.events.TargetMessages.PutTargetsRequest;
import dev.patchtide.server.events.TargetMessages.PutTargetsResponse;
import dev.patchtide.server.events.TargetMessages.RemoveTargetsRequest;
import dev.patchtide.server.events.TargetMessages.Target;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The alerts issue 4 ships "ready to switch on". Switching one on writes an ordinary EventBridge rule on
 * the default bus ({@code patchtide-<alert>}, visible to {@code aws events list-rules}) on the server's own
 * events, with one target: the chosen topic. Switching it off removes that rule. The reboot-pending alert's
 * target carries a {@code DedupePolicy}, so each instance's pending reboot is told once (and again after
 * the reminder period, or when it clears and comes back), not on every daily scan.
 */
final class BuiltInAlerts {
    static final String TARGET_ID = "patchtide-alert-topic";
    static final Duration DEFAULT_REMIND_AFTER = Duration.ofDays(7);

    enum Alert {
        COMPLIANCE(
                "compliance",
                "An instance turns NON_COMPLIANT with its patch baseline",
                "{\"source\":[\"aws.ssm\"],\"detail-type\":[\"" + ComplianceEvents.DETAIL_TYPE + "\"],"
                        + "\"detail\":{\"compliance-type\":[\"Patch\"],\"compliance-status\":[\"non_compliant\"]}}",
                false),
        REBOOT_PENDING(
                "reboot-pending",
                "An instance waits for a reboot to finish installing patches (told once per instance, reminded)",
                "{\"source\":[\"" + RebootEvents.SOURCE + "\"],\"detail-type\":[\"" + RebootEvents.DETAIL_TYPE + "\"]}",
                true),
        CONNECTION_LOST(
                "connection-lost",
                "An agent stops sending heartbeats (ping status ConnectionLost)",
                "{\"source\":[\"aws.ssm\"],\"detail-type\":[\"" + PingStatusWatcher.DETAIL_TYPE + "\"],"
                        + "\"detail\":{\"ping-status\":[\"ConnectionLost\"]}}",
                false);

        final String id;
        final String description;
        final String pattern;
        final boolean deduplicated;

        Alert(String id, String description, String pattern, boolean deduplicated) {
            this.id = id;
            this.description = description;
            this.pattern = pattern;
            this.deduplicated = deduplicated;
        }

        String ruleName() {
            return "patchtide-" + id;
        }

        static Alert named(String id) {
            return Arrays.stream(values())
                    .filter(a -> a.id.equals(id))
                    .findFirst()
                    .orElseThrow(() -> ApiException.validation("Value '" + id + "' at 'alert' failed to satisfy"
                            + " constraint: Member must satisfy enum value set: [compliance, reboot-pending,"
                            + " connection-lost]"));
        }
    }

    private final Rules rules;
    private final TargetsApi targets;
    private final EventsArns arns;
    private final Supplier<Instant> now;

    BuiltInAlerts(Rules rules, TargetsApi targets, EventsArns arns, Supplier<Instant> now) {
        this.rules = rules;
        this.targets = targets;
        this.arns = arns;
        this.now = now;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.EnableBuiltInAlert",
                EnableBuiltInAlertRequest.class,
                Access.adminOnly(),
                (q, who) -> enable(q)));
        router.register(new Action<>(
                "Patchtide.DisableBuiltInAlert", AlertRequest.class, Access.adminOnly(), (q, who) -> disable(q)));
        router.register(new Action<>(
                "Patchtide.ListBuiltInAlerts", ListBuiltInAlertsRequest.class, Access.adminOnly(), (q, who) -> list()));
    }

    BuiltInAlert enable(EnableBuiltInAlertRequest q) {
        Alert alert = Alert.named(q.alert());
        if (!alert.deduplicated && q.remindAfter() != null) {
            throw ApiException.validation("Parameter RemindAfter applies to the reboot-pending alert only.");
        }
        Duration remind =
                Optional.ofNullable(q.remindAfter()).map(BuiltInAlerts::period).orElse(DEFAULT_REMIND_AFTER);
        String topicArn = q.topic().startsWith("arn:")
                ? q.topic()
                : "arn:aws:sns:" + arns.region() + ":" + arns.account() + ":" + q.topic();
        String dedupe = alert.deduplicated
                ? "{\"KeyPath\":\"$.detail.instance-id\",\"ConditionPath\":\"$.detail.reboot-pending\","
                        + "\"RemindAfter\":\"" + remind + "\"}"
                : null;
        rules.put(
                new PutRuleRequest(
                        alert.ruleName(),
                        null,
                        alert.pattern,
                        "ENABLED",
                        "Patchtide built-in alert: " + alert.description,
                        null,
                        null,
                        null),
                now.get());
        Target target = new Target(
                TARGET_ID, topicArn, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, dedupe);
        PutTargetsResponse put = targets.put(new PutTargetsRequest(alert.ruleName(), null, List.of(target)));
        if (put.failedEntryCount() > 0) {
            throw ApiException.validation(put.failedEntries().getFirst().errorMessage());
        }
        return describe(alert);
    }

    AlertMessages.Empty disable(AlertRequest q) {
        Alert alert = Alert.named(q.alert());
        if (exists(alert).isPresent()) {
            targets.remove(new RemoveTargetsRequest(alert.ruleName(), null, List.of(TARGET_ID), true));
            rules.delete(alert.ruleName(), null, true);
        }
        return new AlertMessages.Empty();
    }

    ListBuiltInAlertsResponse list() {
        return new ListBuiltInAlertsResponse(
                Arrays.stream(Alert.values()).map(this::describe).toList());
    }

    private BuiltInAlert describe(Alert alert) {
        Optional<DescribeRuleResponse> rule = exists(alert);
        Optional<Target> target = rule.flatMap(
                r -> targets.list(new ListTargetsByRuleRequest(alert.ruleName(), null, null, null)).targets().stream()
                        .filter(t -> t.id().equals(TARGET_ID))
                        .findFirst());
        boolean on = rule.map(r -> r.state().equals("ENABLED")).orElse(false) && target.isPresent();
        return new BuiltInAlert(
                alert.id,
                alert.description,
                on,
                alert.ruleName(),
                arns.rule(EventBuses.DEFAULT, alert.ruleName()),
                alert.pattern,
                target.map(Target::arn).orElse(null),
                target.flatMap(t -> Optional.ofNullable(t.dedupePolicy()))
                        .map(BuiltInAlerts::remindAfterOf)
                        .orElse(null));
    }

    private Optional<DescribeRuleResponse> exists(Alert alert) {
        try {
            return Optional.of(rules.describe(alert.ruleName(), null));
        } catch (ApiException.NotFound absent) {
            return Optional.empty();
        }
    }

    private static String remindAfterOf(String dedupePolicy) {
        int at = dedupePolicy.indexOf("\"RemindAfter\":\"");
        if (at < 0) {
            return null;
        }
        int start = at + "\"RemindAfter\":\"".length();
        return dedupePolicy.substring(start, dedupePolicy.indexOf('"', start));
    }

    private static Duration period(String text) {
        try {
            Duration d = Duration.parse(text);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException ignored) {
            // reported below
        }
        throw ApiException.validation("Parameter RemindAfter must be a positive ISO-8601 duration such as P7D or"
                + " PT12H, got " + text + ".");
    }
}
