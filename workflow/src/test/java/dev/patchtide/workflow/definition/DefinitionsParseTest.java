package dev.patchtide.workflow.definition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefinitionsParseTest {
    static String resource(String name) {
        try (var in = DefinitionsParseTest.class.getResourceAsStream("/definitions/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StateMachine parse(String json) {
        try {
            return Definitions.parse(json);
        } catch (InvalidDefinition e) {
            throw new AssertionError("rejected: " + e.diagnostics(), e);
        }
    }

    @Test
    void seed001HelloWorldParsesUnchanged() {
        StateMachine machine = parse(resource("seed-001-hello.json"));

        assertThat(machine.comment()).contains("A simple state machine that executes a single task named HelloWorld");
        assertThat(machine.queryLanguage()).isEqualTo(QueryLanguage.JSONPATH);
        assertThat(machine.timeoutSeconds()).isEmpty();
        assertThat(machine.root().startAt()).isEqualTo("HelloWorld");
        var task = (State.Task) machine.root().state("HelloWorld");
        assertThat(task.resource()).isEqualTo("arn:aws:lambda:REGION:ACCOUNT_ID:function:FUNCTION_NAME");
        assertThat(task.transition()).isEqualTo(new Transition.End());
        assertThat(task.io()).isEqualTo(DataFlow.DEFAULT);
        assertThat(task.retry()).isEmpty();
        assertThat(task.catchers()).isEmpty();
        assertThat(task.timeoutSeconds()).isEmpty();
        assertThat(Definitions.validate(resource("seed-001-hello.json"))).isEmpty();
    }

    @Test
    void approvalWorkflowKeepsOrderDataFlowAndHandlers() {
        StateMachine machine = parse(resource("patch-on-approval.json"));
        Graph root = machine.root();

        assertThat(root.states().keySet())
                .containsExactly(
                        "DescribeInstance",
                        "PolicyOf",
                        "AskOwner",
                        "Approved?",
                        "WaitForWindow",
                        "Install",
                        "Rejected",
                        "Failed",
                        "Done");
        var describe = (State.Task) root.state("DescribeInstance");
        assertThat(describe.io().resultPath()).isEqualTo("$.instance");
        assertThat(describe.io().inputPath()).isEqualTo("$");
        assertThat(describe.io().parameters().get("InstanceIds.$").asText())
                .isEqualTo("States.Array($.detail.resource-id)");
        assertThat(describe.io().resultSelector().has("tags.$")).isTrue();
        assertThat(describe.retry())
                .containsExactly(
                        new Retrier(
                                List.of("Ec2.RequestLimitExceeded", "States.Timeout"),
                                2,
                                4,
                                1.5,
                                Optional.of(30),
                                Retrier.Jitter.FULL),
                        new Retrier(List.of("States.ALL"), 1, 3, 2.0, Optional.empty(), Retrier.Jitter.NONE));
        assertThat(describe.catchers())
                .containsExactly(new Catcher(List.of("States.ALL"), "Failed", "$.error", null, null));

        var ask = (State.Task) root.state("AskOwner");
        assertThat(ask.timeoutSeconds()).contains(new Dynamic.Literal(IntNode.valueOf(86400)));
        assertThat(ask.heartbeatSeconds()).contains(new Dynamic.Literal(IntNode.valueOf(3600)));
        assertThat(ask.catchers().getFirst().resultPath())
                .as("ResultPath: null")
                .isNull();
        assertThat(ask.transition()).isEqualTo(new Transition.Next("Approved?"));

        var install = (State.Task) root.state("Install");
        assertThat(install.io().resultPath()).as("written as null").isNull();

        var wait = (State.Wait) root.state("WaitForWindow");
        assertThat(wait.waitFor()).isEqualTo(new State.WaitFor.Seconds(new Dynamic.Path("$.approval.delaySeconds")));

        var rejected = (State.Pass) root.state("Rejected");
        assertThat(rejected.result())
                .hasValueSatisfying(
                        r -> assertThat(r.get("rejected").asBoolean()).isTrue());

        var failed = (State.Fail) root.state("Failed");
        assertThat(failed.error()).contains(new Dynamic.Path("$.error.Error"));
        assertThat(failed.cause()).contains(new Dynamic.Path("$.error.Cause"));
        assertThat(root.state("Done")).isInstanceOf(State.Succeed.class);
    }

    @Test
    void choiceRulesBecomeConditionTrees() {
        var choice =
                (State.Choice) parse(resource("patch-on-approval.json")).root().state("PolicyOf");

        assertThat(choice.defaultNext()).contains("Done");
        assertThat(choice.choices()).hasSize(3);
        ChoiceBranch first = choice.choices().getFirst();
        assertThat(first.next()).isEqualTo("AskOwner");
        assertThat(first.assign()).isNull();
        var and = (Condition.And) first.condition();
        assertThat(and.all().getFirst())
                .isEqualTo(new Condition.Compare(
                        "$.instance.tags",
                        Condition.Comparator.IsPresent,
                        com.fasterxml.jackson.databind.node.BooleanNode.TRUE));
        var not = (Condition.Not) and.all().get(1);
        assertThat(not.negated())
                .isEqualTo(new Condition.Compare(
                        "$.detail.compliance-status",
                        Condition.Comparator.StringEquals,
                        TextNode.valueOf("COMPLIANT")));
        var numeric = (Condition.Compare) choice.choices().get(1).condition();
        assertThat(numeric.comparator()).isEqualTo(Condition.Comparator.NumericGreaterThanEquals);
        assertThat(numeric.operand().asInt()).isEqualTo(7);
        var path = (Condition.Compare) choice.choices().get(2).condition();
        assertThat(path.comparator().path()).isTrue();
        assertThat(path.operand()).isEqualTo(TextNode.valueOf("$.deadline"));
    }

    @Test
    void jsonataMachineKeepsExpressionsWithoutDelimiters() {
        StateMachine machine = parse(resource("noncompliant-digest-jsonata.json"));

        assertThat(machine.queryLanguage()).isEqualTo(QueryLanguage.JSONATA);
        assertThat(machine.timeoutSeconds()).contains(3600);
        var list = (State.Task) machine.root().state("ListNonCompliant");
        assertThat(list.queryLanguage()).isEqualTo(QueryLanguage.JSONATA);
        assertThat(list.io().arguments().has("Filters")).isTrue();
        assertThat(list.io().output().asText()).isEqualTo("{% $states.result.ResourceComplianceSummaryItems %}");
        assertThat(list.io().assign().get("count").asText()).startsWith("{%");
        assertThat(list.io().parameters()).isNull();
        assertThat(list.io().resultPath()).isEqualTo("$");

        var any = (State.Choice) machine.root().state("Any?");
        assertThat(any.choices().getFirst().condition()).isEqualTo(new Condition.Jsonata("$count > 0"));
        assertThat(any.choices().getFirst().assign().get("seen").asBoolean()).isTrue();

        var map = (State.Map) machine.root().state("Describe");
        assertThat(map.items()).contains(TextNode.valueOf("{% $states.input %}"));
        assertThat(map.itemsPath()).isEqualTo("$");
        assertThat(map.mode()).isEqualTo(State.ProcessorMode.INLINE);
        assertThat(map.maxConcurrency()).contains(new Dynamic.Literal(IntNode.valueOf(5)));
        assertThat(map.itemSelector()).isPresent();
        assertThat(map.itemProcessor().startAt()).isEqualTo("Name");
        assertThat(map.itemProcessor().state("Name").queryLanguage()).isEqualTo(QueryLanguage.JSONATA);

        var post = (State.Task) machine.root().state("Post");
        assertThat(post.timeoutSeconds()).contains(new Dynamic.Expression("60 * 5"));
        assertThat(post.retry().getFirst().maxAttempts()).isEqualTo(2);
        var nothing = (State.Succeed) machine.root().state("Nothing");
        assertThat(nothing.io().output()).isNotNull();
    }
}
