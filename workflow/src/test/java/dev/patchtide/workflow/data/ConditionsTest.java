package dev.patchtide.workflow.data;

import static dev.patchtide.workflow.data.JsonPathsTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.Condition;
import dev.patchtide.workflow.definition.Condition.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsTest {
    private static final JsonNode INPUT = json(
            """
            {"n":7,"d":-2.25,"big":1e3,"s":"Hello","t":"2016-03-14T01:59:00Z","t2":"2016-03-14T02:59:00+01:00",
             "late":"2016-03-14T02:00:00.5Z","b":true,"nul":null,"o":{"k":1},"a":[1,2],"star":"a*b","empty":"",
             "other":7,"word":"World","notTs":"2016-03-14 01:59:00"}
            """);
    private static final JsonNode CONTEXT = json("{\"Execution\":{\"Name\":\"run-42\"}}");
    private static final Scope SCOPE = Scope.EMPTY.assign(Map.of("limit", json("10"), "who", json("\"ops\"")));

    private static boolean test(Condition condition) {
        return Conditions.test(condition, INPUT, CONTEXT, SCOPE);
    }

    private static Condition compare(String variable, String comparator, String operand) {
        return new Condition.Compare(variable, Comparator.valueOf(comparator), json(operand));
    }

    @ParameterizedTest(name = "{0} {1} {2} is {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "$.s|StringEquals|\"Hello\"|true",
                "$.s|StringEquals|\"hello\"|false",
                "$.n|StringEquals|\"7\"|false",
                "$.s|StringLessThan|\"Hellp\"|true",
                "$.s|StringGreaterThan|\"Apple\"|true",
                "$.s|StringLessThanEquals|\"Hello\"|true",
                "$.s|StringGreaterThanEquals|\"Zed\"|false",
                "$.s|StringMatches|\"H*o\"|true",
                "$.s|StringMatches|\"*ll*\"|true",
                "$.s|StringMatches|\"H*x\"|false",
                "$.s|StringMatches|\"Hello\"|true",
                "$.s|StringMatches|\"*\"|true",
                "$.star|StringMatches|\"a\\\\*b\"|true",
                "$.s|StringMatches|\"a\\\\*b\"|false",
                "$.empty|StringMatches|\"*\"|true",
                "$.n|StringMatches|\"*\"|false",
                "$.n|NumericEquals|7|true",
                "$.n|NumericEquals|7.0|true",
                "$.big|NumericEquals|1000|true",
                "$.d|NumericLessThan|-2|true",
                "$.d|NumericGreaterThan|-2.5|true",
                "$.n|NumericLessThanEquals|7|true",
                "$.n|NumericGreaterThanEquals|7.5|false",
                "$.s|NumericEquals|7|false",
                "$.b|NumericEquals|1|false",
                "$.b|BooleanEquals|true|true",
                "$.b|BooleanEquals|false|false",
                "$.n|BooleanEquals|true|false",
                "$.t|TimestampEquals|\"2016-03-14T01:59:00Z\"|true",
                "$.t2|TimestampEquals|\"2016-03-14T01:59:00Z\"|true",
                "$.late|TimestampGreaterThan|\"2016-03-14T02:00:00Z\"|true",
                "$.t|TimestampLessThan|\"2016-03-14T02:00:00Z\"|true",
                "$.t|TimestampLessThanEquals|\"2016-03-14T01:59:00Z\"|true",
                "$.t|TimestampGreaterThanEquals|\"2016-03-14T02:00:00Z\"|false",
                "$.notTs|TimestampEquals|\"2016-03-14T01:59:00Z\"|false",
                "$.n|TimestampEquals|\"2016-03-14T01:59:00Z\"|false",
                "$.nul|IsNull|true|true",
                "$.n|IsNull|false|true",
                "$.n|IsNumeric|true|true",
                "$.s|IsNumeric|true|false",
                "$.s|IsString|true|true",
                "$.nul|IsString|false|true",
                "$.b|IsBoolean|true|true",
                "$.t|IsTimestamp|true|true",
                "$.late|IsTimestamp|true|true",
                "$.notTs|IsTimestamp|false|true",
                "$.s|IsTimestamp|true|false",
                "$.n|IsPresent|true|true",
                "$.nul|IsPresent|true|true",
                "$.missing|IsPresent|true|false",
                "$.missing|IsPresent|false|true",
                "$.o.k|IsPresent|true|true",
                "$.a[5]|IsPresent|true|true",
                "$.a[5]|IsNull|true|true",
                "$.n|NumericEqualsPath|\"$.other\"|true",
                "$.n|NumericLessThanPath|\"$limit\"|true",
                "$.s|StringLessThanPath|\"$.word\"|true",
                "$.s|StringEqualsPath|\"$.n\"|false",
                "$.t|TimestampLessThanPath|\"$.late\"|true",
                "$.b|BooleanEqualsPath|\"$.b\"|true",
                "$$.Execution.Name|StringMatches|\"run-*\"|true",
                "$who|StringEquals|\"ops\"|true",
                "$nothing|IsPresent|false|true",
            })
    void compares_as_the_states_language_says(String variable, String comparator, String operand, boolean expected) {
        assertThat(test(compare(variable, comparator, operand))).isEqualTo(expected);
    }

    @Test
    void combines_with_and_or_not() {
        Condition seven = compare("$.n", "NumericEquals", "7");
        Condition hello = compare("$.s", "StringEquals", "\"Hello\"");
        Condition no = compare("$.s", "StringEquals", "\"no\"");
        assertThat(test(new Condition.And(List.of(seven, hello)))).isTrue();
        assertThat(test(new Condition.And(List.of(seven, no)))).isFalse();
        assertThat(test(new Condition.Or(List.of(no, hello)))).isTrue();
        assertThat(test(new Condition.Or(List.of(no, no)))).isFalse();
        assertThat(test(new Condition.Not(no))).isTrue();
        assertThat(test(new Condition.Not(new Condition.And(List.of(seven, new Condition.Not(hello))))))
                .isTrue();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "$.missing|NumericEquals|1|$.missing",
                "$.missing|IsNull|true|$.missing",
                "$.o.x|StringEquals|\"a\"|$.o.x",
                "$.n|NumericLessThanEqualsPath|\"$.right\"|$.right",
                "$nothing|StringEquals|\"a\"|$nothing",
            })
    void a_path_that_finds_nothing_fails_the_state(String variable, String comparator, String operand, String path) {
        assertThatThrownBy(() -> test(compare(variable, comparator, operand)))
                .isInstanceOfSatisfying(StatesError.class, e -> {
                    assertThat(e.error()).isEqualTo("States.Runtime");
                    assertThat(e.cause())
                            .isEqualTo("Invalid path '" + path
                                    + "': The choice state's condition path references an invalid value.");
                });
    }
}
