package dev.patchtide.workflow.data;

import static dev.patchtide.workflow.data.JsonPathsTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    private static final JsonNode CONTEXT =
            json("{\"Execution\":{\"Id\":\"arn:aws:states:us-east-1:123456789012:execution:m:e\",\"Name\":\"e\"},"
                    + "\"Map\":{\"Item\":{\"Index\":2,\"Value\":\"x\"}}}");

    @Test
    void the_specs_parameters_example() {
        JsonNode template = json("{\"flagged\":true,\"parts\":{\"first.$\":\"$.vals[0]\",\"last3.$\":\"$.vals[3:]\"}}");
        JsonNode input = json("{\"flagged\":7,\"vals\":[0,10,20,30,40,50]}");
        assertThat(Templates.apply(template, input, CONTEXT, Scope.EMPTY))
                .isEqualTo(json("{\"flagged\":true,\"parts\":{\"first\":0,\"last3\":[30,40,50]}}"));
    }

    @Test
    void reads_the_context_object_variables_and_intrinsics_and_walks_arrays() {
        JsonNode template = json(
                """
                {"execution.$":"$$.Execution.Id","index.$":"$$.Map.Item.Index","all.$":"$",
                 "limit.$":"$limit","msg.$":"States.Format('{} of {}', $.name, $$.Execution.Name)",
                 "list":[{"v.$":"$.name"},"plain",3,["a",{"w.$":"$limit"}]],
                 "literal":{"keep":"$.name"}, "nothing":null, "t":true}
                """);
        JsonNode input = json("{\"name\":\"Ada\"}");
        Scope scope = Scope.EMPTY.assign(Map.of("limit", json("5")));
        assertThat(Templates.apply(template, input, CONTEXT, scope))
                .isEqualTo(
                        json(
                                """
                        {"execution":"arn:aws:states:us-east-1:123456789012:execution:m:e","index":2,
                         "all":{"name":"Ada"},"limit":5,"msg":"Ada of e",
                         "list":[{"v":"Ada"},"plain",3,["a",{"w":5}]],
                         "literal":{"keep":"$.name"}, "nothing":null, "t":true}
                        """));
    }

    @Test
    void the_template_is_not_modified() {
        JsonNode template = json("{\"a.$\":\"$.x\",\"b\":{\"c.$\":\"$.x\"}}");
        JsonNode before = template.deepCopy();
        Templates.apply(template, json("{\"x\":1}"), CONTEXT, Scope.EMPTY);
        assertThat(template).isEqualTo(before);
    }

    @Test
    void a_path_that_finds_nothing_names_the_field_and_the_input() {
        JsonNode template = json("{\"application\":{\"address.$\":\"$.application.address\"}}");
        assertThatThrownBy(() -> Templates.apply(template, json("{\"flagged\":false}"), CONTEXT, Scope.EMPTY))
                .isInstanceOfSatisfying(StatesError.class, e -> {
                    assertThat(e.error()).isEqualTo("States.Runtime");
                    assertThat(e.cause())
                            .isEqualTo("The JSONPath '$.application.address' specified for the field 'address.$'"
                                    + " could not be found in the input '{\"flagged\":false}'");
                });
    }

    @Test
    void a_function_in_a_path_is_not_supported_and_finds_nothing() {
        JsonNode template = json("{\"Jobs.$\":\"$.Jobs.sum()\"}");
        assertThatThrownBy(() -> Templates.apply(template, json("{\"Jobs\":[0,1]}"), CONTEXT, Scope.EMPTY))
                .isInstanceOfSatisfying(StatesError.class, e -> assertThat(e.cause())
                        .isEqualTo("The JSONPath '$.Jobs.sum()' specified for the field 'Jobs.$' could not be found"
                                + " in the input '{\"Jobs\":[0,1]}'"));
    }

    @Test
    void an_indefinite_path_that_matches_nothing_gives_an_empty_array() {
        JsonNode template = json("{\"hits.$\":\"$.items[?(@.ok == true)].id\"}");
        assertThat(Templates.apply(template, json("{\"items\":[{\"ok\":false,\"id\":1}]}"), CONTEXT, Scope.EMPTY))
                .isEqualTo(json("{\"hits\":[]}"));
    }

    @Test
    void an_index_past_the_end_reads_null_in_a_field_but_fails_as_an_intrinsic_argument() {
        JsonNode input = json("{\"items\":[1,2]}");
        assertThat(Templates.apply(json("{\"v.$\":\"$.items[5]\"}"), input, CONTEXT, Scope.EMPTY))
                .isEqualTo(json("{\"v\":null}"));
        assertThatThrownBy(() -> Templates.apply(
                        json("{\"v.$\":\"States.Format('{}', $.items[5])\"}"), input, CONTEXT, Scope.EMPTY))
                .isInstanceOf(StatesError.class);
    }

    @Test
    void null_template_is_null() {
        assertThat(Templates.apply(null, json("{}"), CONTEXT, Scope.EMPTY)).isNull();
    }
}
