package dev.patchtide.workflow.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every value of realistic definitions replaced, one at a time, by values of every JSON type: validation must
 * answer with diagnostics and parse either succeed or throw InvalidDefinition, never anything else.
 */
class DefinitionsHostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> REPLACEMENTS =
            List.of("null", "-1", "1.5", "\"x\"", "\"$.a\"", "\"{% ) %}\"", "true", "[]", "{}", "[{}]");

    @Test
    void everyMutationIsAnsweredWithDiagnosticsNotExceptions() throws Exception {
        List<JsonNode> replacements = new ArrayList<>();
        for (String r : REPLACEMENTS) {
            replacements.add(JSON.readTree(r));
        }
        int mutations = 0;
        int refused = 0;
        for (String name : List.of("patch-on-approval.json", "noncompliant-digest-jsonata.json")) {
            JsonNode definition = JSON.readTree(DefinitionsParseTest.resource(name));
            List<Slot> slots = new ArrayList<>();
            collect(definition, slots);
            for (Slot slot : slots) {
                JsonNode kept = slot.get();
                for (JsonNode replacement : replacements) {
                    slot.set(replacement);
                    String text = JSON.writeValueAsString(definition);
                    mutations++;
                    try {
                        Definitions.parse(text); // runs the validator first
                    } catch (InvalidDefinition e) {
                        refused++;
                        assertThat(e.diagnostics()).isNotEmpty();
                    } catch (RuntimeException e) {
                        fail("crashed on " + text, e);
                    }
                }
                slot.set(kept);
            }
        }
        assertThat(mutations).isGreaterThan(1000);
        assertThat(refused).as("most mutations break a rule").isGreaterThan(mutations / 2);
    }

    /** A place holding a value: an object member or an array element. */
    private record Slot(JsonNode container, String field, int index) {
        JsonNode get() {
            return field != null ? container.get(field) : container.get(index);
        }

        void set(JsonNode value) {
            if (field != null) {
                ((ObjectNode) container).set(field, value);
            } else {
                ((ArrayNode) container).set(index, value);
            }
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode object) {
            var names = new ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (String field : names) {
                slots.add(new Slot(object, field, -1));
                collect(object.get(field), slots);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                slots.add(new Slot(array, null, i));
                collect(array.get(i), slots);
            }
        }
    }
}
