package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.delivery.Outbox;
import dev.patchtide.server.events.BusMessages.CreateEventBusRequest;
import dev.patchtide.server.events.BusMessages.DeleteEventBusRequest;
import dev.patchtide.server.events.BusMessages.DescribeEventBusRequest;
import dev.patchtide.server.events.BusMessages.Empty;
import dev.patchtide.server.events.BusMessages.ListEventBusesRequest;
import dev.patchtide.server.events.BusMessages.PutEventsRequest;
import dev.patchtide.server.events.RuleMessages.DeleteRuleRequest;
import dev.patchtide.server.events.RuleMessages.ListRulesRequest;
import dev.patchtide.server.events.RuleMessages.PutRuleRequest;
import dev.patchtide.server.events.RuleMessages.PutRuleResponse;
import dev.patchtide.server.events.RuleMessages.RuleRequest;
import dev.patchtide.server.events.RuleMessages.TestEventPatternRequest;
import dev.patchtide.server.events.RuleMessages.TestEventPatternResponse;
import dev.patchtide.server.events.TargetMessages.ListRuleNamesByTargetRequest;
import dev.patchtide.server.events.TargetMessages.ListTargetsByRuleRequest;
import dev.patchtide.server.events.TargetMessages.PutTargetsRequest;
import dev.patchtide.server.events.TargetMessages.RemoveTargetsRequest;
import dev.patchtide.server.fleet.FleetEventSink;
import dev.patchtide.server.fleet.PingStatusPolicy;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * EventBridge's API ({@code AWSEvents.*}): buses, PutEvents, rules, targets, TestEventPattern, archives and
 * replays. Also hands out the {@link EventPublisher} other features emit their events with.
 */
public final class EventsApi {
    private final EventBuses buses;
    private final Rules rules;
    private final TargetsApi targetsApi;
    private final PutEvents putEvents;
    private final EventPublisher publisher;
    private final Archives archives;
    private final Replays replays;
    private final FleetEvents fleetEvents;
    private final EventsWorker worker;
    private final InstantSource clock;
    private final BuiltInAlerts alerts;

    public EventsApi(
            Jdbi jdbi,
            ObjectMapper json,
            Outbox outbox,
            String region,
            String accountId,
            PingStatusPolicy pingPolicy,
            InstantSource clock) {
        EventsArns arns = new EventsArns(region, accountId);
        Targets targets = new Targets(json);
        BusMachines machines = new BusMachines(arns, targets);
        EventRouter router = new EventRouter(machines, outbox, clock);
        this.buses = new EventBuses(jdbi, json, arns);
        this.rules = new Rules(jdbi, json, arns, targets);
        this.targetsApi = new TargetsApi(jdbi, targets);
        this.putEvents = new PutEvents(jdbi, router, arns, clock);
        this.publisher = new EventPublisher(router, arns, clock);
        this.archives = new Archives(jdbi, arns, clock);
        this.replays = new Replays(jdbi, json, arns, machines, router, clock);
        PingStatusWatcher pings = new PingStatusWatcher(jdbi, pingPolicy, publisher, clock);
        this.fleetEvents = new FleetEvents(publisher, pings);
        this.worker = new EventsWorker(new Schedules(jdbi, router, arns, clock), replays, pings, archives, clock);
        this.clock = clock;
        this.alerts = new BuiltInAlerts(rules, targetsApi, arns, this::now);
    }

    /** Give this to the fleet so registrations, deregistrations, tag changes and ping-status changes become events. */
    public FleetEventSink fleetEvents() {
        return fleetEvents;
    }

    public EventPublisher publisher() {
        return publisher;
    }

    /** The background work of this feature (schedules, replays, ping-status changes): start it after the routes. */
    public EventsWorker worker() {
        return worker;
    }

    /** The replays, for tests that advance them one batch at a time with the worker stopped. */
    Replays replays() {
        return replays;
    }

    public void routes(ApiRouter router) {
        on(router, "CreateEventBus", CreateEventBusRequest.class, q -> buses.create(q, now()));
        on(router, "DeleteEventBus", DeleteEventBusRequest.class, q -> {
            buses.delete(q.name());
            return new Empty();
        });
        on(router, "DescribeEventBus", DescribeEventBusRequest.class, q -> buses.describe(q.name()));
        on(router, "ListEventBuses", ListEventBusesRequest.class, buses::list);
        on(router, "PutEvents", PutEventsRequest.class, putEvents::put);
        on(router, "PutRule", PutRuleRequest.class, q -> new PutRuleResponse(rules.put(q, now())));
        on(router, "DescribeRule", RuleRequest.class, q -> rules.describe(q.name(), q.eventBusName()));
        on(router, "ListRules", ListRulesRequest.class, rules::list);
        on(router, "EnableRule", RuleRequest.class, q -> {
            rules.setState(q.name(), q.eventBusName(), true, now());
            return new Empty();
        });
        on(router, "DisableRule", RuleRequest.class, q -> {
            rules.setState(q.name(), q.eventBusName(), false, now());
            return new Empty();
        });
        on(router, "DeleteRule", DeleteRuleRequest.class, q -> {
            rules.delete(q.name(), q.eventBusName(), Boolean.TRUE.equals(q.force()));
            return new Empty();
        });
        on(router, "PutTargets", PutTargetsRequest.class, targetsApi::put);
        on(router, "RemoveTargets", RemoveTargetsRequest.class, targetsApi::remove);
        on(router, "ListTargetsByRule", ListTargetsByRuleRequest.class, targetsApi::list);
        on(router, "ListRuleNamesByTarget", ListRuleNamesByTargetRequest.class, targetsApi::rulesByTarget);
        on(router, "TestEventPattern", TestEventPatternRequest.class, EventsApi::testEventPattern);
        archives.routes(router);
        replays.routes(router);
        alerts.routes(router);
    }

    /**
     * The envelope fields TestEventPattern really requires. AWS's API reference also lists {@code resources},
     * but AWS accepts and matches an event without it (a pattern on {@code resources} then does not match),
     * and an event without {@code detail} too: LocalStack's AWS-validated snapshot tests record this
     * (tests/aws/services/events/test_events_patterns.py, test_event_pattern_source: an event with only id,
     * source, detail-type, account, region and time matches; test_invalid_event_payload: an event missing
     * the six fields is refused). For a missing field or an event that is not a JSON object AWS answers
     * ValidationException "Parameter Event is not valid." with no reason; we keep that sentence and add
     * one naming the field.
     */
    private static final List<String> REQUIRED_EVENT_FIELDS =
            List.of("id", "account", "source", "time", "region", "detail-type");

    static TestEventPatternResponse testEventPattern(TestEventPatternRequest q) {
        EventPatterns.check(q.eventPattern());
        JsonNode event;
        try {
            event = EventEnvelope.JSON.readTree(q.event());
        } catch (IOException e) {
            throw ApiException.validation("Parameter Event is not valid.");
        }
        if (event == null || !event.isObject()) {
            throw ApiException.validation("Parameter Event is not valid.");
        }
        for (String field : REQUIRED_EVENT_FIELDS) {
            if (!event.has(field)) {
                throw ApiException.validation(
                        "Parameter Event is not valid. Reason: " + field + " is a required field.");
            }
        }
        return new TestEventPatternResponse(EventPatterns.matches(q.eventPattern(), q.event()));
    }

    static <Q extends ApiRequest> void on(ApiRouter router, String action, Class<Q> type, Function<Q, Object> handler) {
        router.register(new Action<>("AWSEvents." + action, type, Access.adminOnly(), (q, who) -> handler.apply(q)));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
