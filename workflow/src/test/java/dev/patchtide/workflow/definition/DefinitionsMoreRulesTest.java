package dev.patchtide.workflow.definition;

import static dev.patchtide.workflow.definition.DefinitionsValidateTest.machine;
import static dev.patchtide.workflow.definition.DefinitionsValidateTest.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import org.junit.jupiter.api.Test;

class DefinitionsMoreRulesTest {
    @Test
    void warningsDoNotStopADefinition() throws InvalidDefinition {
        String json =
                """
                {"StartAt": "A", "States": {
                  "A": {"Type": "Pass", "Result": {"x.$": "$.a"}, "Next": "B"},
                  "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "f", "Payload": "$.payload"}, "Next": "C"},
                  "C": {"Type": "Fail", "Error": "$.error"}}}""";
        assertThat(Definitions.validate(json))
                .extracting(Diagnostic::severity, Diagnostic::code, Diagnostic::location)
                .containsExactly(
                        tuple(Diagnostic.Severity.WARNING, "PASS_RESULT_IS_STATIC", "/States/A/Result"),
                        tuple(Diagnostic.Severity.WARNING, "NO_DOLLAR", "/States/B/Parameters/Payload"),
                        tuple(Diagnostic.Severity.WARNING, "NO_PATH", "/States/C/Error"));
        StateMachine machine = Definitions.parse(json);
        assertThat(((State.Fail) machine.root().state("C")).error())
                .hasValueSatisfying(e -> assertThat(e).isInstanceOf(Dynamic.Literal.class));
    }

    @Test
    void mapLabelsAreValidAndUnique() {
        String json = machine("'A':{'Type':'Map','Label':'items','Next':'B','ItemProcessor':{'StartAt':'P',"
                + "'States':{'P':{'Type':'Pass','End':true}}}},"
                + "'B':{'Type':'Map','Label':'items','Next':'C','ItemProcessor':{'StartAt':'Q',"
                + "'States':{'Q':{'Type':'Pass','End':true}}}},"
                + "'C':{'Type':'Map','Label':'bad label','End':true,'ItemProcessor':{'StartAt':'R',"
                + "'States':{'R':{'Type':'Pass','End':true}}}}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("DUPLICATE_LABEL_NAME", "/States/B/Label"),
                        tuple("INVALID_LABEL_NAME", "/States/C/Label"));
    }

    @Test
    void anUnknownQueryLanguageIsReportedAndReadAsJsonata() {
        String json = machine("'A':{'Type':'Pass','QueryLanguage':'JSONPATH','InputPath':'$','End':true}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/QueryLanguage"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
    }

    @Test
    void tooDeeplyNestedGraphs() {
        String inner = "{'StartAt':'S0','States':{'S0':{'Type':'Succeed'}}}";
        for (int i = 1; i <= Validator.MAX_GRAPH_DEPTH + 1; i++) {
            inner = "{'StartAt':'S" + i + "','States':{'S" + i + "':{'Type':'Parallel','End':true,'Branches':[" + inner
                    + "]}}}";
        }
        String json = inner.replace('\'', '"');
        assertThat(problems(json)).containsExactly(tuple("TOO_DEEPLY_NESTED", branchesLocation()));
    }

    private static String branchesLocation() {
        var at = new StringBuilder();
        for (int i = Validator.MAX_GRAPH_DEPTH + 1; i >= 1; i--) {
            at.append("/States/S").append(i).append("/Branches[0]");
        }
        return at.toString();
    }

    @Test
    void distributedMapAndItsLimits() {
        String json = machine("'A':{'Type':'Map','End':true,'MaxConcurrency':-1,'ToleratedFailurePercentage':101,"
                + "'ItemSelector':{},'Parameters':{},'ItemsPath':'$.a[*]',"
                + "'ItemProcessor':{'ProcessorConfig':{'Mode':'DISTRIBUTED'},'StartAt':'P',"
                + "'States':{'P':{'Type':'Pass','End':true}}}}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/ItemProcessor/ProcessorConfig"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/ItemsPath"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/MaxConcurrency"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/ToleratedFailurePercentage"));
    }

    @Test
    void distributedMapParsesWithItsReaderAndWriterKeptAsWritten() throws InvalidDefinition {
        String json =
                """
                {"StartAt": "A", "States": {"A": {"Type": "Map", "End": true, "Label": "Fleet",
                  "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"}},
                  "ItemBatcher": {"MaxItemsPerBatch": 10}, "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject"},
                  "MaxConcurrencyPath": "$.limit", "ToleratedFailurePercentage": 5.5,
                  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}""";
        var map = (State.Map) Definitions.parse(json).root().state("A");
        assertThat(map.mode()).isEqualTo(State.ProcessorMode.DISTRIBUTED);
        assertThat(map.executionType()).contains("EXPRESS");
        assertThat(map.label()).contains("Fleet");
        assertThat(map.itemReader()).hasValueSatisfying(r -> assertThat(
                        r.path("ReaderConfig").path("InputType").asText())
                .isEqualTo("CSV"));
        assertThat(map.itemBatcher()).isPresent();
        assertThat(map.resultWriter()).isPresent();
        assertThat(map.maxConcurrency()).contains(new Dynamic.Path("$.limit"));
        assertThat(map.toleratedFailurePercentage())
                .hasValueSatisfying(d ->
                        assertThat(((Dynamic.Literal) d).value().asDouble()).isEqualTo(5.5));
        assertThat(map.itemSelector()).isEmpty();
        assertThat(map.io().parameters()).isNull();
    }

    @Test
    void legacyIteratorAndParametersAreReadAsItemProcessorAndItemSelector() throws InvalidDefinition {
        String json =
                machine("'A':{'Type':'Map','End':true,'ItemsPath':'$.items','Parameters':{'v.$':'$$.Map.Item.Value'},"
                        + "'Iterator':{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}}");
        var map = (State.Map) Definitions.parse(json).root().state("A");
        assertThat(map.itemProcessor().startAt()).isEqualTo("P");
        assertThat(map.mode()).isEqualTo(State.ProcessorMode.INLINE);
        assertThat(map.itemsPath()).isEqualTo("$.items");
        assertThat(map.itemSelector())
                .hasValueSatisfying(s -> assertThat(s.has("v.$")).isTrue());
        assertThat(map.io().parameters())
                .as("not a parameters template of the Map itself")
                .isNull();
    }

    @Test
    void perStateJsonataInAJsonPathMachine() throws InvalidDefinition {
        String json =
                """
                {"StartAt": "W", "States": {
                  "W": {"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": "{% $states.input.delay %}",
                        "Next": "T"},
                  "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": "$.err"}]},
                  "F": {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "{% $states.input.code %}",
                        "Cause": "static"}}}""";
        StateMachine machine = Definitions.parse(json);
        assertThat(machine.queryLanguage()).isEqualTo(QueryLanguage.JSONPATH);
        var wait = (State.Wait) machine.root().state("W");
        assertThat(wait.queryLanguage()).isEqualTo(QueryLanguage.JSONATA);
        assertThat(wait.waitFor()).isEqualTo(new State.WaitFor.Seconds(new Dynamic.Expression("$states.input.delay")));
        assertThat(machine.root().state("T").queryLanguage()).isEqualTo(QueryLanguage.JSONPATH);
        var fail = (State.Fail) machine.root().state("F");
        assertThat(fail.error()).contains(new Dynamic.Expression("$states.input.code"));
        assertThat(fail.cause())
                .contains(new Dynamic.Literal(com.fasterxml.jackson.databind.node.TextNode.valueOf("static")));
    }

    @Test
    void resultPathWritesIntoTheStateInputOnly() {
        String json = machine("'A':{'Type':'Pass','ResultPath':'$$.Execution.x','Next':'B'},"
                + "'B':{'Type':'Pass','ResultPath':'$var.x','Next':'C'},"
                + "'C':{'Type':'Pass','ResultPath':'$','Next':'D'},"
                + "'D':{'Type':'Pass','ResultPath':'$[2].b','End':true}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/ResultPath"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/B/ResultPath"));
    }

    @Test
    void timestampsAreRfc3339WithUppercaseTAndZAndSeconds() {
        for (String good : new String[] {"2026-12-01T10:00:00Z", "2026-12-01T10:00:00.123+02:00"}) {
            assertThat(Definitions.validate(machine("'A':{'Type':'Wait','Timestamp':'" + good + "','End':true}")))
                    .as(good)
                    .isEmpty();
        }
        for (String bad : new String[] {
            "2026-12-01t10:00:00Z",
            "2026-12-01T10:00:00z",
            "2026-12-01T10:00Z",
            "2026-12-01 10:00:00Z",
            "2026-02-30T10:00:00Z"
        }) {
            assertThat(problems(machine("'A':{'Type':'Wait','Timestamp':'" + bad + "','End':true}")))
                    .as(bad)
                    .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Timestamp"));
        }
    }

    @Test
    void jsonataChoiceRulesTakeACondition() {
        String json =
                """
                {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
                  "C": {"Type": "Choice", "Choices": [
                    {"Variable": "$.a", "StringEquals": "x", "Next": "D"},
                    {"Next": "D"},
                    {"Condition": true, "Next": "D"}]},
                  "D": {"Type": "Succeed"}}}""";
        assertThat(Definitions.validate(json))
                .extracting(Diagnostic::message, Diagnostic::location)
                .containsExactly(
                        tuple(
                                "The QueryLanguage is set to 'JSONata', but field 'Variable' is only supported for the"
                                        + " 'JSONPath' QueryLanguage",
                                "/States/C/Choices[0]"),
                        tuple(
                                "The QueryLanguage is set to 'JSONata', but field 'StringEquals' is only supported for"
                                        + " the 'JSONPath' QueryLanguage",
                                "/States/C/Choices[0]"),
                        tuple("These fields are required: [Condition]", "/States/C/Choices[0]"),
                        tuple("These fields are required: [Condition]", "/States/C/Choices[1]"));
    }

    @Test
    void jsonataMapItemsAreAnArrayAnObjectOrAnExpression() {
        String template =
                """
                {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
                  "Items": %s, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}}}}""";
        for (String good : new String[] {"[1, 2]", "{\"a\": 1}", "\"{% $states.input.xs %}\""}) {
            assertThat(Definitions.validate(template.formatted(good))).as(good).isEmpty();
        }
        assertThat(problems(template.formatted("5")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/M/Items"));
        assertThat(problems(template.formatted("\"{% xs %}\"")))
                .containsExactly(tuple("UNSUPPORTED_JSONATA_EXPRESSION", "/States/M/Items"));
    }
}
