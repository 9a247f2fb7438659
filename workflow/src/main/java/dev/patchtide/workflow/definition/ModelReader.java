package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Builds the model from a definition the {@link Validator} accepted (so shapes are trusted here). */
final class ModelReader {
    private final QueryLanguage machineLanguage;
    private final StateReader states;

    private ModelReader(QueryLanguage machineLanguage) {
        this.machineLanguage = machineLanguage;
        this.states = new StateReader(this);
    }

    static StateMachine read(JsonNode root) {
        QueryLanguage language = languageOf(root.get("QueryLanguage"), QueryLanguage.JSONPATH);
        var reader = new ModelReader(language);
        return new StateMachine(
                text(root, "Comment"),
                reader.graph(root),
                root.has("TimeoutSeconds")
                        ? Optional.of(root.get("TimeoutSeconds").asInt())
                        : Optional.empty(),
                language,
                text(root, "Version"));
    }

    Graph graph(JsonNode node) {
        Map<String, State> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.get("States").properties()) {
            JsonNode state = e.getValue();
            QueryLanguage language = languageOf(state.get("QueryLanguage"), machineLanguage);
            out.put(e.getKey(), states.state(e.getKey(), state, language));
        }
        return new Graph(node.get("StartAt").asText(), Collections.unmodifiableMap(out));
    }

    static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    static Optional<JsonNode> json(JsonNode node, String field) {
        return Optional.ofNullable(node.get(field));
    }

    private static QueryLanguage languageOf(JsonNode value, QueryLanguage otherwise) {
        if (value == null) {
            return otherwise;
        }
        return value.asText().equals("JSONata") ? QueryLanguage.JSONATA : QueryLanguage.JSONPATH;
    }
}
