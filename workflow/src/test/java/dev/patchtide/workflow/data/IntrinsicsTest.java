package dev.patchtide.workflow.data;

import static dev.patchtide.workflow.data.JsonPathsTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.patchtide.workflow.StatesError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntrinsicsTest {
    private static final JsonNode CONTEXT = json("{\"Execution\":{\"Input\":{\"suffix\":\"run\",\"n\":2}}}");
    private static final Randomness FIXED = new Randomness(() -> 0.5, () -> "9f6a1e0c-5b1d-4c8e-8a37-0d1f2e3c4b5a");

    private static JsonNode value(String expression, String input) {
        JsonNode template = JsonNodeFactory.instance.objectNode().put("value.$", expression);
        return Templates.apply(template, json(input), CONTEXT, Scope.EMPTY, FIXED)
                .get("value");
    }

    // Cases from the States Language spec, AWS's intrinsic functions guide and recorded AWS behaviour.
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "States.Format('Hello, my name is {}.', $.name)|{\"name\":\"Arnav\"}|\"Hello, my name is Arnav.\"",
                "States.Format($.template, $.name)|{\"name\":\"Arnav\",\"template\":\"Hello, my name is {}.\"}|\"Hello, my name is Arnav.\"",
                "States.Format('{} {} {}', $.a, $.b, $.c)|{\"a\":\"x\",\"b\":2,\"c\":true}|\"x 2 true\"",
                "States.Format('{}/{}/{}/{}', $.n, $.f, $.d, $.big)|{\"n\":null,\"f\":false,\"d\":3.5,\"big\":9007199254740991}|\"null/false/3.5/9007199254740991\"",
                "States.Format('Name: \\'{}\\'', $.name)|{\"name\":\"Gabriel\"}|\"Name: 'Gabriel'\"",
                "States.Format('\\{\\} {} \\\\', $.a)|{\"a\":\"x\"}|\"{} x \\\\\"",
                "States.Format('no placeholders')|{}|\"no placeholders\"",
                "States.Format('{}:{}', $.name, $$.Execution.Input.suffix)|{\"name\":\"job\"}|\"job:run\"",
                "States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))|{\"svc\":\"lambda\",\"obj\":{\"k\":1}}|\"arn:lambda:{\\\"k\\\":1}\"",
                "States.StringToJson($.s)|{\"s\":\"{\\\"foo\\\": \\\"bar\\\"}\"}|{\"foo\":\"bar\"}",
                "States.StringToJson($.s)|{\"s\":\" [1,2] \"}|[1,2]",
                "States.StringToJson($.s)|{\"s\":\"\"}|null",
                "States.JsonToString($.o)|{\"o\":{\"foo\":\"bar\",\"n\":[true,null,3.5]}}|\"{\\\"foo\\\":\\\"bar\\\",\\\"n\\\":[true,null,3.5]}\"",
                "States.JsonToString('x')|{}|\"\\\"x\\\"\"",
                "States.Array($.Id)|{\"Id\":123456}|[123456]",
                "States.Array()|{}|[]",
                "States.Array(42, true, null, 'hello', -1.5)|{}|[42,true,null,\"hello\",-1.5]",
                "States.Array( $.a , States.Array(2, 3))|{\"a\":1}|[1,[2,3]]",
                "States.ArrayPartition($.a, 4)|{\"a\":[1,2,3,4,5,6,7,8,9]}|[[1,2,3,4],[5,6,7,8],[9]]",
                "States.ArrayPartition($.a, 2.6)|{\"a\":[1,2,3,4,5]}|[[1,2],[3,4],[5]]",
                "States.ArrayPartition($.a, 3)|{\"a\":[]}|[]",
                "States.ArrayPartition($.a, 2147483647)|{\"a\":[1,2,3]}|[[1,2,3]]",
                "States.ArrayContains($.a, $.v)|{\"a\":[1,2,3,4,5,6,7,8,9],\"v\":5}|true",
                "States.ArrayContains($.a, 5)|{\"a\":[1,2,3]}|false",
                "States.ArrayContains($.a, null)|{\"a\":[1,null,3]}|true",
                "States.ArrayContains($.a, $.t)|{\"a\":[{\"a\":1,\"b\":2}],\"t\":{\"b\":2,\"a\":1}}|false",
                "States.ArrayContains($.a, true)|{\"a\":[\"true\",\"false\"]}|true",
                "States.ArrayContains($.a, false)|{\"a\":[0,1,-1]}|false",
                "States.ArrayContains($.a, $.t)|{\"a\":[[0,1,false]],\"t\":[0,1,false]}|true",
                "States.ArrayRange(1, 9, 2)|{}|[1,3,5,7,9]",
                "States.ArrayRange(3, 3, -1)|{}|[3]",
                "States.ArrayRange(5, 1, -2)|{}|[5,3,1]",
                "States.ArrayRange(5, 1, 1)|{}|[]",
                "States.ArrayRange(1.4, 5.6, 2.2)|{}|[1,3,5]",
                "States.ArrayRange(5.4, -0.6, -2.4)|{}|[5,3,1]",
                "States.ArrayRange(States.MathAdd($.b, 1), States.MathAdd($.b, 5), 2)|{\"b\":0}|[1,3,5]",
                "States.ArrayGetItem($.a, $.i)|{\"a\":[1,2,3,4,5,6,7,8,9],\"i\":5}|6",
                "States.ArrayGetItem($.a, 1.2)|{\"a\":[10,20,30]}|20",
                "States.ArrayGetItem($.a, 999)|{\"a\":[]}|null",
                "States.ArrayGetItem(States.Array('x', 'y'), 1)|{}|\"y\"",
                "States.ArrayLength($.a)|{\"a\":[1,2,3,4,5,6,7,8,9]}|9",
                "States.ArrayLength($.a)|{\"a\":[]}|0",
                "States.ArrayUnique($.a)|{\"a\":[1,2,3,3,3,3,3,3,4]}|[1,2,3,4]",
                "States.ArrayUnique($.a)|{\"a\":[true,false,true,false]}|[false,true]",
                "States.ArrayUnique($.a)|{\"a\":[[1,2],[1,2],[2,1]]}|[[2,1],[1,2]]",
                "States.ArrayUnique($.a)|{\"a\":[1,\"1\",1,\"01\"]}|[1,\"1\",\"01\"]",
                "States.ArrayUnique($.a)|{\"a\":[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1}]}|[{\"a\":1,\"b\":2}]",
                "States.ArrayUnique($.a)|{\"a\":[null,null,1,null]}|[null,1]",
                "States.Base64Encode($.s)|{\"s\":\"Data to encode\"}|\"RGF0YSB0byBlbmNvZGU=\"",
                "States.Base64Encode('✓')|{}|\"4pyT\"",
                "States.Base64Decode($.s)|{\"s\":\"RGF0YSB0byBlbmNvZGU=\"}|\"Data to encode\"",
                "States.Base64Decode('44GT44KT44Gr44Gh44Gv')|{}|\"こんにちは\"",
                "States.Base64Decode(' YWJjZA== ')|{}|\"abcd\"",
                "States.Base64Decode('')|{}|\"\"",
                "States.Hash($.s, $.a)|{\"s\":\"Data to encode\",\"a\":\"MD5\"}|\"ca405671828a177e26947171bbe1e352\"",
                "States.Hash('hello', 'SHA-1')|{}|\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"",
                "States.Hash('hello', 'SHA-256')|{}|\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"",
                "States.Hash('hello', 'SHA-384')|{}|\"59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f\"",
                "States.Hash('hello', 'SHA-512')|{}|\"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043\"",
                "States.Hash(123, 'MD5')|{}|\"202cb962ac59075b964b07152d234b70\"",
                "States.Hash('🚀', 'SHA-256')|{}|\"ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5\"",
                "States.JsonMerge($.a, $.b, false)|{\"a\":{\"a\":1,\"b\":{\"c\":1}},\"b\":{\"b\":{\"d\":2},\"e\":3}}|{\"a\":1,\"b\":{\"d\":2},\"e\":3}",
                "States.JsonMerge($.a, $.b, $.d)|{\"a\":{\"x\":1},\"b\":{\"y\":2},\"d\":\"false\"}|{\"x\":1,\"y\":2}",
                "States.MathRandom(1, 999)|{}|500",
                "States.MathAdd(111, -1)|{}|110",
                "States.MathAdd($.a, $.b)|{\"a\":1.6,\"b\":2.7}|5",
                "States.MathAdd(2147483646, 1)|{}|2147483647",
                "States.MathAdd(-2147483647, -1)|{}|-2147483648",
                "States.StringSplit($.s, $.d)|{\"s\":\"1,2,3,4,5\",\"d\":\",\"}|[\"1\",\"2\",\"3\",\"4\",\"5\"]",
                "States.StringSplit($.s, $.d)|{\"s\":\"This.is+a,test=string\",\"d\":\".+,=\"}|[\"This\",\"is\",\"a\",\"test\",\"string\"]",
                "States.StringSplit($.s, ',')|{\"s\":\",a,,b,\"}|[\"a\",\"b\"]",
                "States.StringSplit($.s, ',')|{\"s\":\"\"}|[]",
                "States.UUID()|{}|\"9f6a1e0c-5b1d-4c8e-8a37-0d1f2e3c4b5a\"",
                "States.Format('{}', $.nul)|{\"nul\":null}|\"null\"",
                "States.Format('{} {}', $.o, $.a)|{\"o\":{\"Arg1\":1,\"Arg2\":[]},\"a\":[\"x\",{\"k\":true}]}|\"{Arg1=1, Arg2=[]} [x, {k=true}]\"",
            })
    void evaluates_as_aws_does(String expression, String input, String expected) {
        assertThat(value(expression, input)).isEqualTo(json(expected));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "States.Format('{} {}', $.a)|{\"a\":\"x\"}|Invalid arguments in States.Format",
                "States.Format('{}', $.a, $.b)|{\"a\":\"x\",\"b\":1}|Invalid arguments in States.Format",
                "States.Format('Hello {', $.a)|{\"a\":\"x\"}|Invalid arguments in States.Format",
                "States.Format('}')|{}|Invalid arguments in States.Format",
                "States.Format($.t, $.a)|{\"t\":123,\"a\":\"x\"}|Invalid arguments in States.Format",
                "States.StringToJson($.s)|{\"s\":\"{bad json}\"}|Invalid arguments in States.StringToJson",
                "States.StringToJson($.s)|{\"s\":123}|Invalid arguments in States.StringToJson",
                "States.JsonToString($.a, $.b)|{\"a\":1,\"b\":2}|Invalid arguments in States.JsonToString",
                "States.ArrayPartition($.a, 0.49)|{\"a\":[1]}|Invalid arguments in States.ArrayPartition",
                "States.ArrayPartition($.a, -1)|{\"a\":[1]}|Invalid arguments in States.ArrayPartition",
                "States.ArrayPartition('not-array', 2)|{}|Invalid arguments in States.ArrayPartition",
                "States.ArrayPartition($.a, null)|{\"a\":[1]}|Invalid arguments in States.ArrayPartition",
                "States.ArrayContains('x', 'x')|{}|Invalid arguments in States.ArrayContains",
                "States.ArrayContains($.a)|{\"a\":[1]}|Invalid arguments in States.ArrayContains",
                "States.ArrayRange(1, 1001, 1)|{}|Invalid arguments in States.ArrayRange",
                "States.ArrayRange(1001, 1, -1)|{}|Invalid arguments in States.ArrayRange",
                "States.ArrayRange(1, 10, 0.49)|{}|Invalid arguments in States.ArrayRange",
                "States.ArrayRange('a', 5, 1)|{}|Invalid arguments in States.ArrayRange",
                "States.ArrayRange(1, 5)|{}|Invalid arguments in States.ArrayRange",
                "States.ArrayGetItem($.a, 3)|{\"a\":[10,20,30]}|Invalid arguments in States.ArrayGetItem",
                "States.ArrayGetItem($.a, -1)|{\"a\":[10,20,30]}|Invalid arguments in States.ArrayGetItem",
                "States.ArrayGetItem($.a, '1')|{\"a\":[10,20,30]}|Invalid arguments in States.ArrayGetItem",
                "States.ArrayLength($.o)|{\"o\":{}}|Invalid arguments in States.ArrayLength",
                "States.ArrayUnique($.o)|{\"o\":{\"a\":1}}|Invalid arguments in States.ArrayUnique",
                "States.Base64Decode(123)|{}|Invalid arguments in States.Base64Decode",
                "States.Hash('data', 'sha-256')|{}|Invalid arguments in States.Hash",
                "States.Hash('data', 'SHA256')|{}|Invalid arguments in States.Hash",
                "States.Hash('hello', 123)|{}|Invalid arguments in States.Hash",
                "States.Hash('hello', 'SHA-256', 'x')|{}|Invalid arguments in States.Hash",
                "States.JsonMerge($.a, $.b, true)|{\"a\":{},\"b\":{}}|Invalid arguments in States.JsonMerge",
                "States.JsonMerge($.a, $.b, false)|{\"a\":[],\"b\":{}}|Invalid arguments in States.JsonMerge",
                "States.MathRandom(1, 1)|{}|Invalid arguments in States.MathRandom",
                "States.MathRandom(1.4, 1.6)|{}|Invalid arguments in States.MathRandom",
                "States.MathRandom(1, 10, null)|{}|Invalid arguments in States.MathRandom",
                "States.MathAdd(2147483647, 1)|{}|Invalid arguments in States.MathAdd",
                "States.MathAdd(3000000000, -1)|{}|Invalid arguments in States.MathAdd",
                "States.MathAdd('1', 2)|{}|Invalid arguments in States.MathAdd",
                "States.MathAdd(true, 1)|{}|Invalid arguments in States.MathAdd",
                "States.StringSplit($.s, ',')|{\"s\":123}|Invalid arguments in States.StringSplit",
                "States.StringSplit($.s, $.d)|{\"s\":\"a,b\",\"d\":[\",\"]}|Invalid arguments in States.StringSplit",
                "States.UUID(1)|{}|Invalid arguments in States.UUID",
                "States.Hash($.missing, 'SHA-256')|{}|The JsonPath argument for the field '$.missing' could not be found in the input '{}'",
                "States.Format('{}', $.nope)|{\"other\":1}|The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'",
                "States.Format('{}', States.Format('{}', $.nope))|{\"other\":1}|The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'",
                "States.Format('{}', $.items[5])|{\"items\":[1,2]}|The JsonPath argument for the field '$.items[5]' could not be found in the input '{\"items\":[1,2]}'",
                "States.Array($$.Execution.Nope)|{}|The JsonPath argument for the field '$$.Execution.Nope' could not be found in the input '{\"Execution\":{\"Input\":{\"suffix\":\"run\",\"n\":2}}}'",
            })
    void bad_arguments_fail_with_states_runtime_naming_the_whole_expression(
            String expression, String input, String detail) {
        assertThatThrownBy(() -> value(expression, input)).isInstanceOfSatisfying(StatesError.class, e -> {
            assertThat(e.error()).isEqualTo("States.Runtime");
            assertThat(e.cause()).isEqualTo("The function '" + expression + "' had the following error: " + detail);
        });
    }

    @Test
    void limits_of_ten_thousand_characters() {
        String ok = "{\"s\":\"" + "a".repeat(10_000) + "\"}";
        String over = "{\"s\":\"" + "a".repeat(10_001) + "\"}";
        assertThat(value("States.Hash($.s, 'SHA-256')", ok).textValue()).hasSize(64);
        assertThat(value("States.Base64Encode($.s)", ok).textValue()).isNotEmpty();
        for (String f :
                new String[] {"States.Hash($.s, 'SHA-256')", "States.Base64Encode($.s)", "States.Base64Decode($.s)"}) {
            assertThatThrownBy(() -> value(f, over)).isInstanceOf(StatesError.class);
        }
    }

    @Test
    void math_random_stays_in_range_and_a_seed_repeats() {
        Randomness low = new Randomness(() -> 0.0, () -> "u");
        Randomness high = new Randomness(() -> 0.999999, () -> "u");
        JsonNode template = JsonNodeFactory.instance.objectNode().put("v.$", "States.MathRandom(-5, 5)");
        assertThat(Templates.apply(template, json("{}"), CONTEXT, Scope.EMPTY, low)
                        .get("v")
                        .intValue())
                .isEqualTo(-5);
        assertThat(Templates.apply(template, json("{}"), CONTEXT, Scope.EMPTY, high)
                        .get("v")
                        .intValue())
                .isEqualTo(4);
        JsonNode first = value("States.MathRandom(1, 100, 42)", "{}");
        assertThat(value("States.MathRandom(1, 100, 42)", "{}")).isEqualTo(first);
        assertThat(first.intValue()).isBetween(1, 99);
    }

    @Test
    void recognises_valid_calls() {
        assertThat(Intrinsics.isValid("States.Format('{}', States.Array($.a['x,y'], 'a\\'b'))"))
                .isTrue();
        assertThat(Intrinsics.isValid("States.Nope(1)")).isFalse();
        assertThat(Intrinsics.isValid("States.Array(")).isFalse();
        assertThat(Intrinsics.isValid("States.Array($.a) trailing")).isFalse();
    }
}
