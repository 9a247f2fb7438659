package dev.patchtide.workflow.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class DefinitionsValidateTest {
    /** A machine whose States object is {@code states} (JSON text with ' for "). */
    static String machine(String states) {
        return ("{'StartAt':'A','States':{" + states + "}}").replace('\'', '"');
    }

    static List<Tuple> problems(String json) {
        return Definitions.validate(json).stream()
                .map(d -> tuple(d.code(), d.location()))
                .toList();
    }

    static List<Diagnostic> errors(String json) {
        return Definitions.validate(json);
    }

    @Test
    void invalidJsonIsReportedWithoutLocation() {
        var found = errors("{\"StartAt\": \"A\", \"States\": {");
        assertThat(found).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("INVALID_JSON_DESCRIPTION");
            assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
            assertThat(d.location()).isNull();
        });
        assertThat(problems("{\"StartAt\":\"A\",\"StartAt\":\"B\",\"States\":{}}"))
                .as("duplicate keys")
                .containsExactly(tuple("INVALID_JSON_DESCRIPTION", null));
        assertThat(problems("")).containsExactly(tuple("MISSING_DESCRIPTION", null));
        assertThat(problems("[1]")).containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/"));
    }

    @Test
    void oversizedAndOverNestedInputIsRefused() {
        String huge = machine("'A':{'Type':'Pass','End':true,'Result':'" + "x".repeat(JsonText.MAX_CHARS) + "'}");
        assertThat(problems(huge)).containsExactly(tuple("SCHEMA_VALIDATION_FAILED", null));
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThat(problems(deep)).containsExactly(tuple("INVALID_JSON_DESCRIPTION", null));
    }

    @Test
    void startAtAndStatesAreRequired() {
        var found = errors("{\"Comment\":\"x\"}");
        assertThat(found).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("SCHEMA_VALIDATION_FAILED");
            assertThat(d.message()).isEqualTo("These fields are required: [StartAt, States]");
            assertThat(d.location()).isEqualTo("/");
        });
    }

    @Test
    void startAtAndNextMustNameAState() {
        var found =
                errors(("{'StartAt':'Nope','States':{'A':{'Type':'Pass','Next':'Gone'}," + "'B':{'Type':'Succeed'}}}")
                        .replace('\'', '"'));
        assertThat(found)
                .extracting(Diagnostic::code, Diagnostic::message, Diagnostic::location)
                .containsExactly(
                        tuple("MISSING_TRANSITION_TARGET", "Missing 'Next' target: Gone", "/States/A/Next"),
                        tuple("MISSING_TRANSITION_TARGET", "Missing 'StartAt' target: Nope", "/StartAt"));
    }

    @Test
    void everyTransitionFieldIsCheckedWithTheWordNext() {
        String json = machine("'A':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','Next':'C',"
                + "'Catch':[{'ErrorEquals':['States.ALL'],'Next':'X1'}]},"
                + "'C':{'Type':'Choice','Choices':[{'Variable':'$.a','IsNull':true,'Next':'X2'}],'Default':'X3'},"
                + "'D':{'Type':'Succeed'}");
        assertThat(errors(json))
                .extracting(Diagnostic::message, Diagnostic::location)
                .contains(
                        tuple("Missing 'Next' target: X1", "/States/A/Catch[0]/Next"),
                        tuple("Missing 'Next' target: X2", "/States/C/Choices[0]/Next"),
                        tuple("Missing 'Next' target: X3", "/States/C/Default"));
    }

    @Test
    void unreachableStatesAndMissingTerminalState() {
        assertThat(errors(machine("'A':{'Type':'Pass','End':true},'C':{'Type':'Pass','End':true}")))
                .extracting(Diagnostic::code, Diagnostic::message, Diagnostic::location)
                .containsExactly(tuple("MISSING_TRANSITION_TARGET", "State \"C\" is not reachable.", "/States/C"));
        assertThat(problems(machine("'A':{'Type':'Pass','Next':'B'},'B':{'Type':'Pass','Next':'A'}")))
                .containsExactly(tuple("MISSING_END_STATE", null));
        assertThat(
                        problems(
                                machine(
                                        "'A':{'Type':'Pass','Next':'B'},'B':{'Type':'Pass','Next':'A'},'Z':{'Type':'Pass','Next':'A'}")))
                .as("no terminal state: the reachability walk is not done")
                .containsExactly(tuple("MISSING_END_STATE", null));
    }

    @Test
    void unknownTypeAndMissingType() {
        assertThat(problems(machine("'A':{'Type':'Lambda','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Type"));
        assertThat(problems(machine("'A':{'End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
    }

    @Test
    void fieldsNotAllowedForTheType() {
        var found = errors(machine("'A':{'Type':'Pass','TimeoutSeconds':5,'Retry':[],'End':true}"));
        assertThat(found)
                .extracting(Diagnostic::code, Diagnostic::message, Diagnostic::location)
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "Field 'TimeoutSeconds' is not supported", "/States/A"),
                        tuple("SCHEMA_VALIDATION_FAILED", "Field 'Retry' is not supported", "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Succeed','Next':'A'}")))
                .contains(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Fail','InputPath':'$'}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
    }

    @Test
    void fieldsOfTheOtherQueryLanguage() {
        var jsonPath = errors(machine("'A':{'Type':'Pass','Output':{'a':1},'End':true}"));
        assertThat(jsonPath)
                .extracting(Diagnostic::message, Diagnostic::location)
                .containsExactly(tuple(
                        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
                        "/States/A"));
        var jsonata = errors(machine("'A':{'Type':'Pass','QueryLanguage':'JSONata','InputPath':'$.a','End':true}"));
        assertThat(jsonata)
                .extracting(Diagnostic::message, Diagnostic::location)
                .containsExactly(tuple(
                        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage",
                        "/States/A"));
        String downgrade = ("{'QueryLanguage':'JSONata','StartAt':'A','States':{'A':{'Type':'Pass',"
                        + "'QueryLanguage':'JSONPath','End':true}}}")
                .replace('\'', '"');
        assertThat(errors(downgrade))
                .extracting(Diagnostic::message, Diagnostic::location)
                .containsExactly(tuple(
                        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                        "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Pass','QueryLanguage':'jsonata','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A/QueryLanguage"));
    }

    @Test
    void nextAndEndBothOrNeither() {
        assertThat(errors(machine("'A':{'Type':'Pass','Next':'B','End':true},'B':{'Type':'Succeed'}")))
                .extracting(Diagnostic::message, Diagnostic::location)
                .containsExactly(tuple("Only one of the fields 'Next' or 'End' may be set", "/States/A"));
        assertThat(errors(machine("'A':{'Type':'Pass'},'B':{'Type':'Succeed'}")))
                .extracting(Diagnostic::message, Diagnostic::location)
                .contains(tuple("One of the fields 'Next' or 'End' is required", "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Pass','End':false}")))
                .contains(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
    }

    @Test
    void choiceRules() {
        assertThat(errors(machine("'A':{'Type':'Choice','Default':'B'},'B':{'Type':'Succeed'}")))
                .extracting(Diagnostic::message, Diagnostic::location)
                .containsExactly(tuple("These fields are required: [Choices]", "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Choice','Choices':[]},'B':{'Type':'Succeed'}")))
                .contains(tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices"));
        String rules = machine("'A':{'Type':'Choice','Choices':["
                + "{'Variable':'$.a','StringEquals':1,'Next':'B'},"
                + "{'Variable':'$.a','StringEquals':'x','NumericEquals':1,'Next':'B'},"
                + "{'StringEquals':'x','Next':'B'},"
                + "{'And':[{'Variable':'$.a','IsNull':true,'Next':'B'}],'Next':'B'},"
                + "{'Not':{'Variable':'$.t','TimestampEquals':'yesterday'},'Next':'B'},"
                + "{'Variable':'$.a','BooleanEqualsPath':'a.b','Next':'B'},"
                + "{'Variable':'$.a','IsPresent':true}"
                + "]},'B':{'Type':'Succeed'}");
        assertThat(problems(rules))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[0]/StringEquals"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[1]"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[2]"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[3]/And[0]"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[4]/Not/TimestampEquals"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[5]/BooleanEqualsPath"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[6]"));
    }

    @Test
    void everyComparatorIsAccepted() {
        var rules = new StringBuilder();
        for (Condition.Comparator c : Condition.Comparator.values()) {
            String operand = c.path()
                    ? "'$.b'"
                    : c.name().startsWith("String")
                            ? "'x*'"
                            : c.name().startsWith("Numeric")
                                    ? "1.5"
                                    : c.name().startsWith("Timestamp") ? "'2026-01-01T00:00:00Z'" : "true";
            rules.append("{'Variable':'$.a','")
                    .append(c)
                    .append("':")
                    .append(operand)
                    .append(",'Next':'B'},");
        }
        rules.append("{'Or':[{'Not':{'Variable':'$$.Execution.Id','IsString':true}},")
                .append("{'And':[{'Variable':'$v.x','IsNumeric':false}]}],'Next':'B'}");
        String json = machine("'A':{'Type':'Choice','Choices':[" + rules + "]},'B':{'Type':'Succeed'}");
        assertThat(Definitions.validate(json)).isEmpty();
    }

    @Test
    void defaultMustNameAState() {
        assertThat(errors(machine("'A':{'Type':'Choice','Choices':[{'Variable':'$.a','IsNull':true,'Next':'B'}],"
                        + "'Default':'Nowhere'},'B':{'Type':'Succeed'}")))
                .extracting(Diagnostic::code, Diagnostic::location)
                .containsExactly(tuple("MISSING_TRANSITION_TARGET", "/States/A/Default"));
    }

    @Test
    void failTakesErrorOrErrorPathNotBoth() {
        assertThat(problems(machine("'A':{'Type':'Fail','Error':'E','ErrorPath':'$.e'}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Fail','Cause':'c','CausePath':'$.c'}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
        String paths =
                """
                {"StartAt": "A", "States": {"A": {"Type": "Fail", "ErrorPath": "$..e",
                  "CausePath": "States.Format('{}', $.c)"}}}""";
        assertThat(problems(paths)).containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A/ErrorPath"));
    }

    @Test
    void waitTakesExactlyOneOfItsFields() {
        assertThat(problems(machine("'A':{'Type':'Wait','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Wait','Seconds':5,'TimestampPath':'$.t','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
        assertThat(problems(machine("'A':{'Type':'Wait','Seconds':-1,'End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Seconds"));
        assertThat(problems(machine("'A':{'Type':'Wait','Timestamp':'2026-13-01','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Timestamp"));
        assertThat(Definitions.validate(machine("'A':{'Type':'Wait','Timestamp':'2026-12-01T10:00:00Z','End':true}")))
                .isEmpty();
    }

    @Test
    void retrierRanges() {
        String json = machine("'A':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','End':true,'Retry':["
                + "{'ErrorEquals':['X'],'MaxAttempts':-1},"
                + "{'ErrorEquals':['X'],'BackoffRate':0.5},"
                + "{'ErrorEquals':['X'],'IntervalSeconds':0},"
                + "{'ErrorEquals':['X'],'MaxDelaySeconds':0},"
                + "{'ErrorEquals':['X'],'JitterStrategy':'HALF'},"
                + "{'ErrorEquals':[]},"
                + "{'IntervalSeconds':1},"
                + "{'ErrorEquals':['X'],'MaxAttempts':0,'BackoffRate':1,'IntervalSeconds':1,'MaxDelaySeconds':1,"
                + "'JitterStrategy':'FULL'}"
                + "]}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[0]/MaxAttempts"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[1]/BackoffRate"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[2]/IntervalSeconds"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[3]/MaxDelaySeconds"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[4]/JitterStrategy"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[5]/ErrorEquals"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[6]"));
    }

    @Test
    void statesAllMustBeAloneAndLast() {
        String json = machine("'A':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','End':true,"
                + "'Retry':[{'ErrorEquals':['States.ALL','X']},{'ErrorEquals':['States.ALL']},{'ErrorEquals':['Y']}],"
                + "'Catch':[{'ErrorEquals':['States.ALL'],'Next':'B'},{'ErrorEquals':['Z'],'Next':'B'}]},"
                + "'B':{'Type':'Succeed'}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[0]/ErrorEquals"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[0]/ErrorEquals"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Retry[1]/ErrorEquals"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Catch[0]/ErrorEquals"));
    }

    @Test
    void catcherFields() {
        String json = machine("'A':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','End':true,"
                + "'Catch':[{'ErrorEquals':['X']},{'ErrorEquals':['X'],'Next':'B','ResultPath':'$..x'},"
                + "{'ErrorEquals':['X'],'Next':'B','Output':{}}]},'B':{'Type':'Succeed'}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Catch[0]"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Catch[1]/ResultPath"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Catch[2]"));
    }

    @Test
    void stateNamesLongerThan80Characters() {
        String name = "N".repeat(81);
        String json = ("{'StartAt':'" + name + "','States':{'" + name + "':{'Type':'Succeed'}}}").replace('\'', '"');
        assertThat(problems(json)).containsExactly(tuple("INVALID_STATE_NAME", "/States/" + name));
        String ok = "N".repeat(80);
        assertThat(Definitions.validate(
                        ("{'StartAt':'" + ok + "','States':{'" + ok + "':{'Type':'Succeed'}}}").replace('\'', '"')))
                .isEmpty();
    }

    @Test
    void pathSyntax() {
        String json =
                """
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "a.b", "OutputPath": "$.a[",
                  "ResultPath": "$.a[*]",
                  "Parameters": {"x.$": "$.ok", "y.$": "nope", "z": {"w.$": "States.Nope('a')"}}, "End": true}}}""";
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/InputPath"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/OutputPath"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/ResultPath"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Parameters/y.$"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Parameters/z/w.$"));
        String good =
                """
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$$.Execution.Input",
                  "OutputPath": null, "ResultPath": "$.a['b c'][0].d",
                  "Parameters": {"all.$": "$..items[?(@.price < 10)]", "first.$": "$.items[0:2]",
                    "n.$": "$.items.length()", "v.$": "$myVar.x",
                    "f.$": "States.Format('{} and {}', $.a, States.ArrayLength($.b))",
                    "g.$": "States.Format('it\\\\'s {}', States.MathAdd($.n, -1))"},
                  "End": true}}}""";
        assertThat(Definitions.validate(good)).isEmpty();
    }

    @Test
    void jsonataExpressionsMustParse() {
        String json =
                """
                {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
                  "A": {"Type": "Pass", "Next": "B", "Assign": {"x": "{% %}"},
                        "Output": {"a": "{% a[1,2) %}", "b": ["{% 1 + %}"], "c": "{% 1 + 2 %}", "d": "{ not % one }"}},
                  "B": {"Type": "Choice", "Choices": [{"Condition": "$.a", "Next": "C"}]},
                  "C": {"Type": "Succeed"}}}""";
        assertThat(errors(json))
                .extracting(Diagnostic::code, Diagnostic::message, Diagnostic::location)
                .containsExactly(
                        tuple("INVALID_JSONATA_EXPRESSION", "Unexpected end of expression", "/States/A/Assign/x"),
                        tuple("INVALID_JSONATA_EXPRESSION", "Expected \"]\", got \",\"", "/States/A/Output/a"),
                        tuple("INVALID_JSONATA_EXPRESSION", "Unexpected end of expression", "/States/A/Output/b[0]"),
                        tuple(
                                "SCHEMA_VALIDATION_FAILED",
                                "The value for the field 'Condition' must be a JSONata expression",
                                "/States/B/Choices[0]/Condition"));
    }

    @Test
    void jsonataTopLevelReferencesAreRefused() {
        String json =
                """
                {"QueryLanguage": "JSONata", "StartAt": "E", "States": {
                  "E": {"Type": "Pass", "End": true, "Output": {
                    "v": "{% phone %}",
                    "w": "{% $count(items) + $sum($states.input.prices[price > 1].price) %}",
                    "ok": "{% $states.input.(name & ' ' & id) %}",
                    "alsoOk": "{% $map($states.input.xs, function($x) { $x.y }) %}",
                    "var": "{% $myVar.field %}"}}}}""";
        assertThat(errors(json))
                .extracting(Diagnostic::code, Diagnostic::message, Diagnostic::location)
                .containsExactly(
                        tuple(
                                "UNSUPPORTED_JSONATA_EXPRESSION",
                                "Reference to 'phone' at the top level is not supported.",
                                "/States/E/Output/v"),
                        tuple(
                                "UNSUPPORTED_JSONATA_EXPRESSION",
                                "Reference to 'items' at the top level is not supported.",
                                "/States/E/Output/w"));
    }

    @Test
    void statesMembersAreReadWhereTheyExist() {
        String json =
                """
                {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
                  "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "P",
                        "Arguments": {"a": "{% $states.errorOutput %}", "b": "{% $states.result %}",
                                      "c": "{% $states.input.x & $states.context.Execution.Id %}"},
                        "Output": "{% $states.result.Payload %}", "Assign": {"r": "{% $states.result %}"},
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "P",
                                   "Output": "{% $states.errorOutput %}", "Assign": {"e": "{% $states.result %}"}}]},
                  "P": {"Type": "Pass", "Output": "{% $states.result %}", "End": true}}}""";
        assertThat(errors(json))
                .extracting(Diagnostic::code, Diagnostic::message, Diagnostic::location)
                .containsExactly(
                        tuple(
                                "UNSUPPORTED_JSONATA_EXPRESSION",
                                "Field '$states.errorOutput' does not exist.",
                                "/States/T/Arguments/a"),
                        tuple(
                                "UNSUPPORTED_JSONATA_EXPRESSION",
                                "Field '$states.result' does not exist.",
                                "/States/T/Arguments/b"),
                        tuple(
                                "UNSUPPORTED_JSONATA_EXPRESSION",
                                "Field '$states.result' does not exist.",
                                "/States/T/Catch[0]/Assign/e"),
                        tuple(
                                "UNSUPPORTED_JSONATA_EXPRESSION",
                                "Field '$states.result' does not exist.",
                                "/States/P/Output"));
    }

    @Test
    void parallelBranchesAreValidatedWithTheirLocation() {
        String json = machine("'A':{'Type':'Parallel','End':true,'Branches':["
                + "{'StartAt':'B1','States':{'B1':{'Type':'Pass','Next':'Gone'}}},"
                + "{'StartAt':'C1','States':{'C1':{'Type':'Wait','End':true}}},"
                + "{'StartAt':'D1'}"
                + "]}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("MISSING_TRANSITION_TARGET", "/States/A/Branches[0]/States/B1/Next"),
                        tuple("MISSING_END_STATE", null),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Branches[1]/States/C1"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Branches[2]"));
        assertThat(problems(machine("'A':{'Type':'Parallel','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
    }

    @Test
    void mapProcessorIsValidatedRecursively() {
        String json = machine("'A':{'Type':'Map','End':true,'ItemProcessor':{"
                + "'ProcessorConfig':{'Mode':'SIDEWAYS'},'QueryLanguage':'JSONata',"
                + "'StartAt':'P','States':{'P':{'Type':'Pass','Output':1,'End':true}}}}");
        assertThat(errors(json))
                .extracting(Diagnostic::message, Diagnostic::location)
                .containsExactly(
                        tuple("Field 'QueryLanguage' is not supported", "/States/A/ItemProcessor"),
                        tuple(
                                "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
                                "/States/A/ItemProcessor/States/P"),
                        tuple(
                                "The value for the field 'Mode' must be one of [DISTRIBUTED, INLINE]",
                                "/States/A/ItemProcessor/ProcessorConfig/Mode"));
        assertThat(problems(machine("'A':{'Type':'Map','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
        String legacy = machine("'A':{'Type':'Map','End':true,'ItemsPath':'$.items','MaxConcurrency':2,"
                + "'Parameters':{'item.$':'$$.Map.Item.Value'},"
                + "'Iterator':{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}}");
        assertThat(Definitions.validate(legacy)).isEmpty();
    }

    @Test
    void duplicateStateNamesAcrossTheMachine() {
        String json = machine("'A':{'Type':'Parallel','End':true,'Branches':["
                + "{'StartAt':'A','States':{'A':{'Type':'Succeed'}}}]}");
        assertThat(problems(json)).containsExactly(tuple("DUPLICATE_STATE_NAME", "/States/A/Branches[0]/States/A"));
    }

    @Test
    void awsSdkIntegrationsRunNoJobButSsmSendCommandSyncIsPatchtidesExtension() {
        String json = machine("'A':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:ssm:listCommands.sync',"
                + "'Next':'B'},"
                + "'B':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:ssm:sendCommand.sync:2','Next':'C'},"
                + "'C':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:ssm:sendCommand.waitForTaskToken',"
                + "'Next':'D'},"
                + "'D':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:ssm:sendCommand.sync','End':true}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Resource"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/B/Resource"));
    }

    @Test
    void taskTimeoutsAndResource() {
        String json = machine("'A':{'Type':'Task','Resource':'lambda-function','TimeoutSeconds':0,"
                + "'HeartbeatSeconds':10,'Next':'B'},"
                + "'B':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','TimeoutSeconds':10,"
                + "'HeartbeatSeconds':10,'Next':'C'},"
                + "'C':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','TimeoutSeconds':10,"
                + "'TimeoutSecondsPath':'$.t','End':true}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("INVALID_RESOURCE", "/States/A/Resource"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/TimeoutSeconds"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/B/HeartbeatSeconds"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/C"));
        assertThat(problems(machine("'A':{'Type':'Task','End':true}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
    }

    @Test
    void assignVariableNames() {
        String json = machine("'A':{'Type':'Pass','Assign':{'ok':1,'_also':2,'café':3,'1bad':4,'states':5,"
                + "'has space':6,'dyn.$':'$.a','" + "v".repeat(81) + "':7},'End':true}");
        assertThat(problems(json))
                .containsExactly(
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Assign/1bad"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Assign/states"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Assign/has space"),
                        tuple("SCHEMA_VALIDATION_FAILED", "/States/A/Assign/" + "v".repeat(81)));
        assertThat(problems(machine("'A':{'Type':'Succeed','Assign':{'a':1}}")))
                .containsExactly(tuple("SCHEMA_VALIDATION_FAILED", "/States/A"));
    }

    @Test
    void parseThrowsWithErrorsOnly() {
        assertThatThrownBy(() -> Definitions.parse(machine("'A':{'Type':'Pass','Next':'Gone'}")))
                .isInstanceOfSatisfying(InvalidDefinition.class, e -> assertThat(e.diagnostics())
                        .extracting(Diagnostic::code)
                        .containsExactly("MISSING_TRANSITION_TARGET", "MISSING_END_STATE"));
    }
}
