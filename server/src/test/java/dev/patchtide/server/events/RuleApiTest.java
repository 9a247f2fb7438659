package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.InvalidEventPatternException;
import software.amazon.awssdk.services.eventbridge.model.ListRulesResponse;
import software.amazon.awssdk.services.eventbridge.model.PutTargetsResponse;
import software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException;
import software.amazon.awssdk.services.eventbridge.model.Rule;
import software.amazon.awssdk.services.eventbridge.model.RuleState;
import software.amazon.awssdk.services.eventbridge.model.Target;

class RuleApiTest {
    static EventsFixture f;
    static final String PATTERN =
            "{\"source\":[\"aws.ssm\"],\"detail-type\":[\"Configuration Compliance State Change\"]}";

    @BeforeAll
    static void start() {
        f = new EventsFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void ruleLifecycle() {
        String arn = f.events
                .putRule(b -> b.name("noncompliant").eventPattern(PATTERN).description("alerts"))
                .ruleArn();
        assertThat(arn).isEqualTo("arn:aws:events:us-east-1:123456789012:rule/noncompliant");
        var rule = f.events.describeRule(b -> b.name("noncompliant"));
        assertThat(rule.eventPattern()).isEqualTo(PATTERN);
        assertThat(rule.state()).isEqualTo(RuleState.ENABLED);
        assertThat(rule.eventBusName()).isEqualTo("default");
        assertThat(rule.description()).isEqualTo("alerts");

        f.events.disableRule(b -> b.name("noncompliant"));
        assertThat(f.events.describeRule(b -> b.name("noncompliant")).state()).isEqualTo(RuleState.DISABLED);
        f.events.enableRule(b -> b.name("noncompliant"));
        assertThat(f.events.describeRule(b -> b.name("noncompliant")).state()).isEqualTo(RuleState.ENABLED);

        assertThatThrownBy(() -> f.events.enableRule(b -> b.name("missing")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Rule missing does not exist on EventBus default.");

        PutTargetsResponse put = f.events.putTargets(b -> b.rule("noncompliant")
                .targets(
                        Target.builder().id("topic").arn(EventsFixture.TOPIC).build(),
                        Target.builder().id("bad").arn("not-an-arn").build(),
                        Target.builder()
                                .id("both")
                                .arn(EventsFixture.TOPIC)
                                .input("{}")
                                .inputPath("$.detail")
                                .build()));
        assertThat(put.failedEntryCount()).isEqualTo(2);
        assertThat(put.failedEntries()).extracting(e -> e.targetId()).containsExactly("bad", "both");
        assertThat(f.events.listTargetsByRule(b -> b.rule("noncompliant")).targets())
                .extracting(Target::id)
                .containsExactly("topic");
        assertThat(f.events
                        .listRuleNamesByTarget(b -> b.targetArn(EventsFixture.TOPIC))
                        .ruleNames())
                .containsExactly("noncompliant");

        assertThatThrownBy(() -> f.events.deleteRule(b -> b.name("noncompliant")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("Rule can't be deleted since it has targets.");
        f.events.removeTargets(b -> b.rule("noncompliant").ids("topic"));
        f.events.deleteRule(b -> b.name("noncompliant"));
        assertThatThrownBy(() -> f.events.describeRule(b -> b.name("noncompliant")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void listRulesPagesByNameWithinABus() {
        f.events.createEventBus(b -> b.name("listing"));
        for (String name : new String[] {"a-one", "a-two", "b-three"}) {
            f.events.putRule(b -> b.name(name).eventBusName("listing").eventPattern("{\"source\":[\"x\"]}"));
        }
        ListRulesResponse first = f.events.listRules(
                b -> b.eventBusName("listing").namePrefix("a-").limit(1));
        assertThat(first.rules()).extracting(Rule::name).containsExactly("a-one");
        assertThat(first.rules().getFirst().arn())
                .isEqualTo("arn:aws:events:us-east-1:123456789012:rule/listing/a-one");
        ListRulesResponse second = f.events.listRules(
                b -> b.eventBusName("listing").namePrefix("a-").limit(1).nextToken(first.nextToken()));
        assertThat(second.rules()).extracting(Rule::name).containsExactly("a-two");
        assertThat(second.nextToken()).isNull();
        assertThatThrownBy(() -> f.events.listRules(b -> b.eventBusName("nope")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void badPatternsAndSchedulesAreRefusedWithAwsErrors() {
        assertThatThrownBy(() -> f.events.putRule(b -> b.name("bad").eventPattern("{\"source\":\"aws.ssm\"}")))
                .isInstanceOf(InvalidEventPatternException.class)
                .hasMessageContaining("Event pattern is not valid. Reason:");
        assertThatThrownBy(() -> f.events.putRule(b -> b.name("bad").eventPattern("{not json")))
                .isInstanceOf(InvalidEventPatternException.class);
        assertThatThrownBy(() -> f.events.putRule(b -> b.name("bad").scheduleExpression("cron(0 12 * * * *)")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("Parameter ScheduleExpression is not valid.");
        assertThatThrownBy(() -> f.events.putRule(b -> b.name("bad")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("EventPattern or ScheduleExpression must be specified");
        assertThatThrownBy(() ->
                        f.events.putRule(b -> b.name("bad").eventBusName("nope").eventPattern(PATTERN)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> f.events.describeRule(b -> b.name("bad")))
                .isInstanceOf(ResourceNotFoundException.class);
        String scheduled = f.events
                .putRule(b -> b.name("nightly").scheduleExpression("cron(0 2 * * ? *)"))
                .ruleArn();
        assertThat(scheduled).endsWith(":rule/nightly");
    }

    @Test
    void testEventPatternAnswersTrueAndFalseAndChecksItsInputs() {
        String event =
                "{\"id\":\"1\",\"account\":\"123456789012\",\"source\":\"aws.ssm\",\"time\":\"2026-01-01T00:00:00Z\","
                        + "\"region\":\"us-east-1\",\"resources\":[],\"detail-type\":\"Configuration Compliance State Change\","
                        + "\"detail\":{\"compliance-status\":\"non_compliant\"}}";
        assertThat(f.events
                        .testEventPattern(b -> b.eventPattern(PATTERN).event(event))
                        .result())
                .isTrue();
        assertThat(f.events
                        .testEventPattern(b -> b.eventPattern(
                                        "{\"detail\":{\"compliance-status\":[{\"anything-but\":\"non_compliant\"}]}}")
                                .event(event))
                        .result())
                .isFalse();
        assertThatThrownBy(() -> f.events.testEventPattern(
                        b -> b.eventPattern("{\"a\":1}").event(event)))
                .isInstanceOf(InvalidEventPatternException.class);
        assertThatThrownBy(() ->
                        f.events.testEventPattern(b -> b.eventPattern(PATTERN).event("{\"source\":\"x\"}")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("Parameter Event is not valid.");
    }

    /** As AWS does: an event copied without resources (or detail) is tested, not refused. */
    @Test
    void testEventPatternAcceptsAnEventWithoutResourcesOrDetail() throws Exception {
        var envelope = EventEnvelope.JSON
                .createObjectNode()
                .put("id", "1")
                .put("account", "123456789012")
                .put("source", "order")
                .put("time", "2026-01-01T00:00:00Z")
                .put("region", "us-east-1")
                .put("detail-type", "Test");
        String event = envelope.toString();
        assertThat(f.events
                        .testEventPattern(
                                b -> b.eventPattern("{\"source\":[\"order\"]}").event(event))
                        .result())
                .isTrue();
        assertThat(f.events
                        .testEventPattern(
                                b -> b.eventPattern("{\"resources\":[\"arn:aws:ec2:us-east-1:1:instance/i-1\"]}")
                                        .event(event))
                        .result())
                .isFalse();
        assertThat(f.events
                        .testEventPattern(b -> b.eventPattern("{\"resources\":[{\"exists\":false}]}")
                                .event(event))
                        .result())
                .isTrue();
        for (String field : List.of("id", "account", "source", "time", "region", "detail-type")) {
            String without = envelope.deepCopy().without(field).toString();
            assertThatThrownBy(() -> f.events.testEventPattern(
                            b -> b.eventPattern("{\"source\":[\"order\"]}").event(without)))
                    .as(field)
                    .isInstanceOfSatisfying(
                            EventBridgeException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
                    .hasMessageContaining("Parameter Event is not valid. Reason: " + field + " is a required field.");
        }
        assertThatThrownBy(() -> f.events.testEventPattern(
                        b -> b.eventPattern("{\"source\":[\"order\"]}").event("[\"plain string\"]")))
                .hasMessageContaining("Parameter Event is not valid.");
    }
}
