package dev.patchtide.workflow.jsonata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Scope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonataTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static JsonNode states(String input) {
        return JsonataFields.states(json(input), json("{\"Execution\":{\"Name\":\"run-1\"}}"), null, null);
    }

    static StatesError failure(Runnable action) {
        try {
            action.run();
        } catch (StatesError e) {
            return e;
        }
        throw new AssertionError("expected a StatesError");
    }

    @Test
    void onlyAWholeDelimitedStringIsAnExpression() {
        assertThat(Jsonata.isExpression("{% $states.input %}")).isTrue();
        assertThat(Jsonata.isExpression("{%$x%}")).isTrue();
        assertThat(Jsonata.isExpression(" {% $x %}")).isFalse();
        assertThat(Jsonata.isExpression("{% $x %} ")).isFalse();
        assertThat(Jsonata.isExpression("{% $x")).isFalse();
        assertThat(Jsonata.isExpression("{%}")).isFalse();
        assertThat(Jsonata.isExpression("$states.input")).isFalse();
        assertThat(Jsonata.isExpression((String) null)).isFalse();
        assertThat(Jsonata.unwrap("{%  $states.input.a  %}")).isEqualTo("$states.input.a");
    }

    @Test
    void integersStayIntegersAndDecimalsStayDecimals() {
        JsonNode states = states("{\"a\":1,\"b\":2.5,\"big\":12345678901234}");
        JsonNode sum = Jsonata.evaluate("$states.input.a + 1", states, Scope.EMPTY);
        assertThat(sum.isIntegralNumber()).isTrue();
        assertThat(sum.toString()).isEqualTo("2");
        assertThat(Jsonata.evaluate("$states.input.b * 2", states, Scope.EMPTY).toString())
                .isEqualTo("5");
        assertThat(Jsonata.evaluate("$states.input.b / 2", states, Scope.EMPTY).toString())
                .isEqualTo("1.25");
        assertThat(Jsonata.evaluate("$states.input.big", states, Scope.EMPTY).toString())
                .isEqualTo("12345678901234");
        assertThat(Jsonata.evaluate("$states.input", states, Scope.EMPTY))
                .isEqualTo(json("{\"a\":1,\"b\":2.5,\"big\":12345678901234}"));
    }

    @Test
    void jsonNullIsAValueAndAMissingFieldIsNothing() {
        JsonNode states = states("{\"n\":null,\"list\":[1,null]}");
        assertThat(Jsonata.evaluate("$states.input.n", states, Scope.EMPTY).isNull())
                .isTrue();
        assertThat(Jsonata.evaluate("null", states, Scope.EMPTY).isNull()).isTrue();
        assertThat(Jsonata.evaluate("$states.input.missing", states, Scope.EMPTY)
                        .isMissingNode())
                .isTrue();
        assertThat(Jsonata.evaluate("$states.input.list", states, Scope.EMPTY)).isEqualTo(json("[1,null]"));
        // A JSON null is a value: AWS counts it, $exists sees it.
        assertThat(Jsonata.evaluate("$count($states.input.n)", states, Scope.EMPTY))
                .isEqualTo(json("1"));
        assertThat(Jsonata.evaluate("$count($states.input.missing)", states, Scope.EMPTY))
                .isEqualTo(json("0"));
        assertThat(Jsonata.evaluate("$count($states.input.list)", states, Scope.EMPTY))
                .isEqualTo(json("2"));
        assertThat(Jsonata.evaluate("$exists($states.input.n)", states, Scope.EMPTY))
                .isEqualTo(json("true"));
        assertThat(Jsonata.evaluate("{'k': $states.input.n, 'gone': $states.input.missing}", states, Scope.EMPTY))
                .isEqualTo(json("{\"k\":null}"));
        assertThat(Jsonata.evaluateField(
                        json("{\"v\":\"{% $states.input.n %}\"}"), "Output", states, Scope.EMPTY, Sources.SYSTEM))
                .isEqualTo(json("{\"v\":null}"));
    }

    @Test
    void aFieldIsWalkedAndOnlyWholeExpressionsAreEvaluated() {
        JsonNode states = states("{\"title\":\"Doctor\"}");
        Scope scope = Scope.EMPTY.assign(Map.of("customerName", json("\"María\"")));
        JsonNode arguments = json("{\"static\":\"Hello\",\"title\":\"{% $states.input.title %}\","
                + "\"name\":\"{% $customerName %}\",\"not-evaluated\":\"$customerName\","
                + "\"list\":[1,\"{% 1 + 1 %}\",{\"deep\":\"{% $states.context.Execution.Name %}\"}],\"n\":7}");
        assertThat(Jsonata.evaluateField(arguments, "Arguments", states, scope, Sources.SYSTEM))
                .isEqualTo(json("{\"static\":\"Hello\",\"title\":\"Doctor\",\"name\":\"María\","
                        + "\"not-evaluated\":\"$customerName\",\"list\":[1,2,{\"deep\":\"run-1\"}],\"n\":7}"));
        assertThat(Jsonata.evaluateField(json("\"{% $states.input.title & '!' %}\""), states, scope))
                .isEqualTo(json("\"Doctor!\""));
    }

    @Test
    void anExpressionThatReturnsNothingFailsNamingTheExpressionAndTheField() {
        JsonNode states = states("{}");
        StatesError error = failure(() -> Jsonata.evaluateField(
                json("{\"v\":\"{% $states.input.missing %}\"}"), "Output", states, Scope.EMPTY, Sources.SYSTEM));
        assertThat(error.error()).isEqualTo("States.QueryEvaluationError");
        assertThat(error.cause())
                .isEqualTo("The JSONata expression '$states.input.missing' specified for the field 'Output/v' "
                        + "returned nothing (undefined).");
        StatesError nested = failure(() -> Jsonata.evaluateField(
                json("{\"a\":{\"b\":[0,\"{%$nope%}\"]}}"), "Arguments", states, Scope.EMPTY, Sources.SYSTEM));
        assertThat(nested.cause()).contains("'$nope'").contains("the field 'Arguments/a/b[1]'");
        StatesError single =
                failure(() -> Jsonata.evaluate("$states.result", "Seconds", states, Scope.EMPTY, Sources.SYSTEM));
        assertThat(single.cause())
                .isEqualTo("The JSONata expression '$states.result' specified for the field 'Seconds' returned "
                        + "nothing (undefined).");
    }

    @Test
    void aJsonataErrorCarriesItsCodeAfterTheSentence() {
        JsonNode states = states("{}");
        StatesError abs = failure(() -> Jsonata.evaluate("$abs('a')", "Output/r", states, Scope.EMPTY, Sources.SYSTEM));
        assertThat(abs.error()).isEqualTo(StatesError.QUERY_EVALUATION_ERROR);
        assertThat(abs.cause())
                .isEqualTo("The JSONata expression '$abs('a')' specified for the field 'Output/r' threw an error "
                        + "during evaluation. T0410: Argument 1 of function \"abs\" does not match function signature");
        StatesError plus = failure(() -> Jsonata.evaluate("1 + 'a'", "Output/r", states, Scope.EMPTY, Sources.SYSTEM));
        assertThat(plus.cause())
                .endsWith("threw an error during evaluation. T2002: The right side of the \"+\" operator must "
                        + "evaluate to a number");
    }

    @Test
    void evalIsDisabledAsOnAws() {
        StatesError error = failure(
                () -> Jsonata.evaluate("$eval(\"1+1\")", "Output/r", states("{}"), Scope.EMPTY, Sources.SYSTEM));
        assertThat(error.cause())
                .isEqualTo("The JSONata expression '$eval(\"1+1\")' specified for the field 'Output/r' threw an "
                        + "error during evaluation. T1006: Attempted to invoke a non-function");
    }

    @Test
    void syntaxErrorsAreReportedForTheValidator() {
        assertThat(Jsonata.syntaxError("$states.input.a + 1")).isEmpty();
        assertThat(Jsonata.syntaxError("1 +"))
                .hasValueSatisfying(text -> assertThat(text).startsWith("S0207"));
        assertThat(Jsonata.syntaxError("(1")).isPresent();
        assertThat(Jsonata.syntaxError("  ")).isPresent();
    }

    @Test
    void inStatePutsAwsSentenceInFrontOfQueryErrorsOnly() {
        StatesError query = new StatesError(StatesError.QUERY_EVALUATION_ERROR, "The JSONata expression 'x' ...");
        assertThat(Jsonata.inState(query, "E", 2).cause())
                .isEqualTo("An error occurred while executing the state 'E' (entered at the event id #2). "
                        + "The JSONata expression 'x' ...");
        StatesError other = new StatesError(StatesError.TASK_FAILED, "boom");
        assertThat(Jsonata.inState(other, "E", 2)).isSameAs(other);
    }

    @Test
    void workflowVariablesAreReadFromTheScopeAndItsParents() {
        Scope outer = Scope.EMPTY.assign(Map.of("x", json("40"), "y", json("1")));
        Scope inner = outer.child().assign(Map.of("y", json("2")));
        assertThat(Jsonata.evaluate("$x + $y", states("{}"), inner, Sources.SYSTEM))
                .isEqualTo(json("42"));
        assertThat(Jsonata.evaluate("$notAssigned", states("{}"), inner, Sources.SYSTEM)
                        .isMissingNode())
                .isTrue();
        assertThatThrownBy(() -> Jsonata.evaluate("$notAssigned", "Output", states("{}"), inner, Sources.SYSTEM))
                .isInstanceOf(StatesError.class);
    }

    @Test
    void messagesTheLibraryWordsDifferentlyReadAsJsonataJsWordsThem() {
        JsonNode states = states("{}");
        assertThat(failure(() -> Jsonata.evaluate("$sum(['a'])", "Output/r", states, Scope.EMPTY, Sources.SYSTEM))
                        .cause())
                .endsWith("threw an error during evaluation. T0412: Argument 1 of function \"sum\" must be an array "
                        + "of \"numbers\"");
        assertThat(failure(() -> Jsonata.evaluate("'a' < 1", "Output/r", states, Scope.EMPTY, Sources.SYSTEM))
                        .cause())
                .endsWith("T2009: The values \"a\" and 1 either side of operator \"<\" must be of the same data type");
        assertThat(failure(() -> Jsonata.evaluate("$number('abc')", "Output/r", states, Scope.EMPTY, Sources.SYSTEM))
                        .cause())
                .endsWith("threw an error during evaluation. D3030: Unable to cast value to a number: \"abc\"");
        assertThat(failure(() -> Jsonata.evaluate("$single([1,2])", "Output/r", states, Scope.EMPTY, Sources.SYSTEM))
                        .cause())
                .contains("D3138: The $single() function expected exactly 1 matching result");
    }

    @Test
    void aNonFiniteNumberAsTheWholeResultIsWrittenAsAwsWritesIt() {
        JsonNode states = states("{}");
        assertThat(Jsonata.evaluate("1/0", states, Scope.EMPTY)).isEqualTo(json("\"Infinity\""));
        assertThat(Jsonata.evaluate("-1/0", states, Scope.EMPTY)).isEqualTo(json("\"-Infinity\""));
        assertThat(failure(() -> Jsonata.evaluate("{'r': 1/0}", "Output", states, Scope.EMPTY, Sources.SYSTEM))
                        .cause())
                .contains("D1001");
    }

    @Test
    void theFailingFieldCanBeReadBackForTheEvaluationFailedEvent() {
        StatesError undefined = failure(() -> Jsonata.evaluateField(
                json("{\"a\":[\"{% $nope %}\"]}"), "Catch[0]/Output", states("{}"), Scope.EMPTY, Sources.SYSTEM));
        assertThat(Jsonata.location(undefined)).contains("Catch[0]/Output/a[0]");
        StatesError threw =
                failure(() -> Jsonata.evaluate("$abs('x')", "Seconds", states("{}"), Scope.EMPTY, Sources.SYSTEM));
        assertThat(Jsonata.location(Jsonata.inState(threw, "W", 5))).contains("Seconds");
        assertThat(Jsonata.location(new StatesError(StatesError.TASK_FAILED, "x")))
                .isEmpty();
    }

    @Test
    void anAbsurdlyNestedExpressionIsASyntaxErrorNotACrash() {
        String nested = "(".repeat(100_000) + "1" + ")".repeat(100_000);
        assertThat(Jsonata.syntaxError(nested)).isPresent();
        assertThat(failure(() -> Jsonata.evaluate(nested, "Output", states("{}"), Scope.EMPTY, Sources.SYSTEM))
                        .error())
                .isEqualTo(StatesError.QUERY_EVALUATION_ERROR);
    }
}
