package dev.patchtide.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.schedule.ScheduleExpression;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.events.RuleMessages.DescribeRuleResponse;
import dev.patchtide.server.events.RuleMessages.ListRulesRequest;
import dev.patchtide.server.events.RuleMessages.ListRulesResponse;
import dev.patchtide.server.events.RuleMessages.PutRuleRequest;
import dev.patchtide.server.events.RuleMessages.Rule;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule. */
final class Rules {
    private final Jdbi jdbi;
    private final ObjectMapper json;
    private final EventsArns arns;
    private final Targets targets;

    Rules(Jdbi jdbi, ObjectMapper json, EventsArns arns, Targets targets) {
        this.jdbi = jdbi;
        this.json = json;
        this.arns = arns;
        this.targets = targets;
    }

    String put(PutRuleRequest q, Instant now) {
        String bus = EventsArns.busName(q.eventBusName());
        if (q.eventPattern() == null && q.scheduleExpression() == null) {
            throw ApiException.validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
        }
        if (q.eventPattern() != null) {
            EventPatterns.check(q.eventPattern());
        }
        Optional<Instant> nextFire = Optional.empty();
        if (q.scheduleExpression() != null) {
            if (!bus.equals(EventBuses.DEFAULT)) {
                throw ApiException.validation("ScheduleExpression is supported only on the default event bus.");
            }
            ScheduleExpression schedule = schedule(q.scheduleExpression());
            nextFire = schedule.firstAfter(now);
        }
        String state = Objects.requireNonNullElse(q.state(), "ENABLED");
        Instant fireAt = state.equals("DISABLED") ? null : nextFire.orElse(null);
        jdbi.useTransaction(h -> {
            lockBus(h, bus);
            h.createUpdate("INSERT INTO event_rules (bus, name, event_pattern, schedule_expression, state, description,"
                            + " role_arn, tags, created_at, next_fire_at) VALUES (:bus, :name, :pattern, :schedule,"
                            + " :state, :description, :role, CAST(:tags AS jsonb), :now, :fire)"
                            + " ON CONFLICT (bus, name) DO UPDATE SET event_pattern = EXCLUDED.event_pattern,"
                            + " schedule_expression = EXCLUDED.schedule_expression, state = EXCLUDED.state,"
                            + " description = EXCLUDED.description, role_arn = EXCLUDED.role_arn,"
                            + " next_fire_at = EXCLUDED.next_fire_at")
                    .bind("bus", bus)
                    .bind("name", q.name())
                    .bind("pattern", q.eventPattern())
                    .bind("schedule", q.scheduleExpression())
                    .bind("state", state)
                    .bind("description", q.description())
                    .bind("role", q.roleArn())
                    .bind("tags", write(q.tags() == null ? List.of() : q.tags()))
                    .bind("now", now)
                    .bind("fire", fireAt)
                    .execute();
        });
        return arns.rule(bus, q.name());
    }

    /**
     * AWS checks the expression's shape before its meaning: {@code rate(...)} or {@code cron(...)}, nothing
     * before or after, fields separated by single spaces. {@code ' rate(5 minutes)'} or
     * {@code 'cron(0 2 * * ? * )'} are refused there, so they are never stored with their spaces here.
     */
    private static final Pattern SHAPE = Pattern.compile("(?:rate|cron)\\(\\S+(?: \\S+)*\\)");

    static ScheduleExpression schedule(String expression) {
        if (!SHAPE.matcher(expression).matches()) {
            throw ApiException.validation("Parameter ScheduleExpression is not valid.");
        }
        try {
            return ScheduleExpression.parse(expression);
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("Parameter ScheduleExpression is not valid.");
        }
    }

    DescribeRuleResponse describe(String name, String busNameOrArn) {
        String bus = EventsArns.busName(busNameOrArn);
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM event_rules WHERE bus = :bus AND name = :name")
                        .bind("bus", bus)
                        .bind("name", name)
                        .map((rs, ctx) -> new DescribeRuleResponse(
                                name,
                                arns.rule(bus, name),
                                rs.getString("event_pattern"),
                                rs.getString("schedule_expression"),
                                rs.getString("state"),
                                rs.getString("description"),
                                rs.getString("role_arn"),
                                null,
                                bus,
                                arns.account()))
                        .findOne())
                .orElseThrow(() -> notFound(name, bus));
    }

    ListRulesResponse list(ListRulesRequest q) {
        String bus = EventsArns.busName(q.eventBusName());
        int limit = Objects.requireNonNullElse(q.limit(), 100);
        String after = PageToken.decode("rules/" + bus, q.nextToken()).orElse("");
        return jdbi.inTransaction(h -> {
            requireBus(h, bus);
            List<Rule> page = h.createQuery("SELECT * FROM event_rules WHERE bus = :bus AND name > :after"
                            + " AND starts_with(name, :prefix) ORDER BY name LIMIT :limit")
                    .bind("bus", bus)
                    .bind("after", after)
                    .bind("prefix", Objects.requireNonNullElse(q.namePrefix(), ""))
                    .bind("limit", limit + 1)
                    .map((rs, ctx) -> new Rule(
                            rs.getString("name"),
                            arns.rule(bus, rs.getString("name")),
                            rs.getString("event_pattern"),
                            rs.getString("state"),
                            rs.getString("description"),
                            rs.getString("schedule_expression"),
                            rs.getString("role_arn"),
                            null,
                            bus))
                    .list();
            if (page.size() <= limit) {
                return new ListRulesResponse(page, null);
            }
            List<Rule> shown = page.subList(0, limit);
            return new ListRulesResponse(
                    shown, PageToken.encode("rules/" + bus, shown.getLast().name()));
        });
    }

    void setState(String name, String busNameOrArn, boolean enabled, Instant now) {
        String bus = EventsArns.busName(busNameOrArn);
        jdbi.useTransaction(h -> {
            lockBus(h, bus);
            String schedule = h.createQuery(
                            "SELECT coalesce(schedule_expression, '') FROM event_rules WHERE bus = :bus AND name = :name")
                    .bind("bus", bus)
                    .bind("name", name)
                    .mapTo(String.class)
                    .findOne()
                    .orElseThrow(() -> notFound(name, bus));
            Instant fireAt = enabled && !schedule.isEmpty()
                    ? schedule(schedule).firstAfter(now).orElse(null)
                    : null;
            h.createUpdate(
                            "UPDATE event_rules SET state = :state, next_fire_at = :fire WHERE bus = :bus AND name = :name")
                    .bind("state", enabled ? "ENABLED" : "DISABLED")
                    .bind("fire", fireAt)
                    .bind("bus", bus)
                    .bind("name", name)
                    .execute();
        });
    }

    /** As AWS: refused while the rule has targets (unless forced); a rule that does not exist is no error. */
    void delete(String name, String busNameOrArn, boolean force) {
        String bus = EventsArns.busName(busNameOrArn);
        jdbi.useTransaction(h -> {
            lockBus(h, bus);
            if (!force && targets.count(h, bus, name) > 0) {
                throw ApiException.validation("Rule can't be deleted since it has targets.");
            }
            h.createUpdate("DELETE FROM event_rules WHERE bus = :bus AND name = :name")
                    .bind("bus", bus)
                    .bind("name", name)
                    .execute();
        });
    }

    /** Locks the bus row and marks its rules changed, or reports the bus missing. */
    static void lockBus(Handle h, String bus) {
        requireBus(h, bus);
        BusMachines.bump(h, bus);
    }

    static void requireBus(Handle h, String bus) {
        boolean exists = h.createQuery("SELECT EXISTS (SELECT 1 FROM event_buses WHERE name = :bus)")
                .bind("bus", bus)
                .mapTo(Boolean.class)
                .one();
        if (!exists) {
            throw EventBuses.notFound(bus);
        }
    }

    static void requireRule(Handle h, String bus, String rule) {
        boolean exists = h.createQuery("SELECT EXISTS (SELECT 1 FROM event_rules WHERE bus = :bus AND name = :name)")
                .bind("bus", bus)
                .bind("name", rule)
                .mapTo(Boolean.class)
                .one();
        if (!exists) {
            throw notFound(rule, bus);
        }
    }

    static ApiException notFound(String rule, String bus) {
        return new ApiException.NotFound(
                "ResourceNotFoundException", "Rule " + rule + " does not exist on EventBus " + bus + ".");
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
