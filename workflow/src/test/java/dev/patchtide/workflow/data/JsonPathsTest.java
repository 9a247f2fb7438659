package dev.patchtide.workflow.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.workflow.StatesError;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonPathsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static final JsonNode STORE = json(
            """
            {"store":{"book":[
              {"category":"reference","author":"Nigel Rees","title":"Sayings","price":8.95},
              {"category":"fiction","author":"Evelyn Waugh","title":"Sword","price":12.99},
              {"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553","price":8.99},
              {"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord","isbn":"0-395","price":22.99}],
             "bicycle":{"color":"red","price":19.95}},
             "vals":[0,10,20,30,40,50], "a b":{"c":1}, "n":null,
             "groups":[{"id":1,"name":"group","tags":["a","b"]},{"id":2,"name":"other","tags":["b","c"]}]}
            """);

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "$|" + "SELF",
                "$.store.bicycle.color|\"red\"",
                "$['store']['bicycle']['price']|19.95",
                "$.vals[0]|0",
                "$.vals[-1]|50",
                "$.vals[3:]|[30,40,50]",
                "$.vals[:2]|[0,10]",
                "$.vals[1:4:2]|[10,30]",
                "$.vals[-2:]|[40,50]",
                "$.vals[0,2]|[0,20]",
                "$.store.book[*].author|[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]",
                "$..isbn|[\"0-553\",\"0-395\"]",
                "$.store.book[?(@.price < 10)].title|[\"Sayings\",\"Moby Dick\"]",
                "$.store.book[?(@.isbn)].price|[8.99,22.99]",
                "$.store.book[?(@.category == 'fiction' && @.price > 20)].title|[\"The Lord\"]",
                "$.store.book[?(@.author =~ /.*Rees/)].price|[8.95]",
                "$.store.book[?(@.category in ['reference'])].price|[8.95]",
                "$.store.book[?(@.price > $.store.bicycle.price)].title|[\"The Lord\"]",
                "$.store.book[?(!(@.price < 10))].title|[\"Sword\",\"The Lord\"]",
                "$.store.bicycle.*|[\"red\",19.95]",
                "$.nothing[*]|[]",
                "$['a b'].c|1",
                "$.n|null",
                "$.vals[9]|null",
                "$.vals[-9]|null",
                "$.vals[0,9]|[0,null]",
                "$.store.book[?(@.price > 100)]|[]",
                "$.store.bicycle['color','price']|{\"color\":\"red\",\"price\":19.95}",
                "$.store.bicycle['color','gears']|{\"color\":\"red\"}",
                "$.store.book[0:2]['title','price']|[{\"title\":\"Sayings\",\"price\":8.95},{\"title\":\"Sword\",\"price\":12.99}]",
                "$['store','vals'].bicycle.color|[\"red\"]",
                "$..book[2].author|[\"Herman Melville\"]",
                "$.vals[?(@ > 25)]|[30,40,50]",
                "$.vals[?(@ in [10, 50])]|[10,50]",
                "$.vals[?(@ nin [0, 10, 20, 30])]|[40,50]",
                "$.groups[?(@.tags subsetof ['a', 'b'])].id|[1]",
                "$.groups[?(@.tags anyof ['c'])].id|[2]",
                "$.groups[?(@.tags noneof ['c'])].id|[1]",
                "$.groups[?(@.tags size 2)].id|[1,2]",
                "$.groups[?(@.tags contains 'c')].id|[2]",
                "$.groups[?(@.name =~ /G.*/i)].id|[1]",
            })
    void reads_paths_as_step_functions_does(String path, String expected) {
        JsonNode want = expected.equals("SELF") ? STORE : json(expected);
        assertThat(JsonPaths.read(path, STORE, json("{}"), Scope.EMPTY)).isEqualTo(want);
    }

    @Test
    void reads_the_context_object_and_variables() {
        JsonNode context = json("{\"Execution\":{\"Id\":\"arn:x\",\"Input\":{\"k\":[1,2]}}}");
        Scope scope = Scope.EMPTY.assign(Map.of("order", json("{\"id\":7,\"lines\":[3,4]}")));
        assertThat(JsonPaths.read("$$.Execution.Id", STORE, context, scope)).isEqualTo(json("\"arn:x\""));
        assertThat(JsonPaths.read("$$.Execution.Input.k[1]", STORE, context, scope))
                .isEqualTo(json("2"));
        assertThat(JsonPaths.read("$order.id", STORE, context, scope)).isEqualTo(json("7"));
        assertThat(JsonPaths.read("$order.lines[0]", STORE, context, scope)).isEqualTo(json("3"));
        assertThat(JsonPaths.read("$order", STORE, context, scope)).isEqualTo(json("{\"id\":7,\"lines\":[3,4]}"));
        assertThat(JsonPaths.read("$order", STORE, context, scope.child()))
                .isEqualTo(json("{\"id\":7,\"lines\":[3,4]}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "$.x|Invalid path '$.x' : No results for path: $['x']",
                "$.store.x|Invalid path '$.store.x' : No results for path: $['store']['x']",
                "$.x.y|Invalid path '$.x.y' : Missing property in path $['x']",
                "$.vals[9].x|Invalid path '$.vals[9].x' : Expected to find an object with property ['x'] in path $['vals'][9] but found 'null'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'.",
                "$.store.bicycle.color.x|Invalid path '$.store.bicycle.color.x' : Expected to find an object with property ['x'] in path $['store']['bicycle']['color'] but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'.",
                "$.vals.x|Invalid path '$.vals.x' : Expected to find an object with property ['x'] in path $['vals'] but found 'com.fasterxml.jackson.databind.node.ArrayNode'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'.",
                "$.store[0]|Invalid path '$.store[0]' : Filter: [0] can only be applied to arrays. Current context is: {\"book\":[{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"title\":\"Sayings\",\"price\":8.95},{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"title\":\"Sword\",\"price\":12.99},{\"category\":\"fiction\",\"author\":\"Herman Melville\",\"title\":\"Moby Dick\",\"isbn\":\"0-553\",\"price\":8.99},{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\",\"title\":\"The Lord\",\"isbn\":\"0-395\",\"price\":22.99}],\"bicycle\":{\"color\":\"red\",\"price\":19.95}}",
                "$.n[0]|Invalid path '$.n[0]' : The path $['n'] is null",
            })
    void a_path_field_that_finds_nothing_fails_with_awss_cause(String path, String cause) {
        assertThatThrownBy(() -> JsonPaths.read(path, STORE, json("{}"), Scope.EMPTY))
                .isInstanceOfSatisfying(StatesError.class, e -> {
                    assertThat(e.error()).isEqualTo("States.Runtime");
                    assertThat(e.cause()).isEqualTo(cause);
                });
    }

    @Test
    void a_template_field_that_finds_nothing_names_the_field_and_the_input() {
        assertThatThrownBy(() -> JsonPaths.read("$.a.b", json("{\"flagged\":false}"), json("{}"), Scope.EMPTY, "x.$"))
                .isInstanceOfSatisfying(StatesError.class, e -> {
                    assertThat(e.error()).isEqualTo("States.Runtime");
                    assertThat(e.cause())
                            .isEqualTo("The JSONPath '$.a.b' specified for the field 'x.$' could not be found in the"
                                    + " input '{\"flagged\":false}'");
                });
    }

    @ParameterizedTest(name = "{0} into {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "$|{\"a\":1}|{\"r\":true}",
                "$.r|{\"a\":1}|{\"a\":1,\"r\":{\"r\":true}}",
                "$.a|{\"a\":1}|{\"a\":{\"r\":true}}",
                "$.x.y.z|{\"a\":1}|{\"a\":1,\"x\":{\"y\":{\"z\":{\"r\":true}}}}",
                "$.x.y|{\"x\":{\"k\":2}}|{\"x\":{\"k\":2,\"y\":{\"r\":true}}}",
                "$['q r']|{}|{\"q r\":{\"r\":true}}",
                "$.l[1]|{\"l\":[0,1]}|{\"l\":[0,{\"r\":true}]}",
                "$[1].payload|[{\"a\":1},{\"id\":7},4]|[{\"a\":1},{\"id\":7,\"payload\":{\"r\":true}},4]",
            })
    void places_a_result(String path, String input, String expected) {
        JsonNode in = json(input);
        JsonNode before = in.deepCopy();
        assertThat(JsonPaths.place(path, in, json("{\"r\":true}"))).isEqualTo(json(expected));
        assertThat(in).as("the input is not modified").isEqualTo(before);
    }

    @Test
    void a_null_result_path_keeps_the_input() {
        assertThat(JsonPaths.place(null, json("{\"a\":1}"), json("2"))).isEqualTo(json("{\"a\":1}"));
    }

    @ParameterizedTest(name = "{0} into {1}")
    @CsvSource(
            delimiter = '|',
            value = {"$.a|[1,2]", "$.a|\"text\"", "$.a.b|{\"a\":5}"})
    void placing_into_something_not_an_object_fails(String path, String input) {
        assertThatThrownBy(() -> JsonPaths.place(path, json(input), json("1")))
                .isInstanceOfSatisfying(
                        StatesError.class, e -> assertThat(e.error()).isEqualTo("States.ResultPathMatchFailure"));
    }
}
