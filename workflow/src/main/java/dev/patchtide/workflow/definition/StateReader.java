package dev.patchtide.workflow.definition;

import static dev.patchtide.workflow.definition.ModelReader.json;
import static dev.patchtide.workflow.definition.ModelReader.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One state of an accepted definition as its record. */
final class StateReader {
    private final ModelReader graphs;

    StateReader(ModelReader graphs) {
        this.graphs = graphs;
    }

    State state(String name, JsonNode node, QueryLanguage language) {
        Optional<String> comment = text(node, "Comment");
        String type = node.get("Type").asText();
        DataFlow io = DataFlowReader.read(node, type, language);
        return switch (type) {
            case "Pass" -> new State.Pass(name, comment, language, io, transition(node), json(node, "Result"));
            case "Task" ->
                new State.Task(
                        name,
                        comment,
                        language,
                        io,
                        transition(node),
                        node.get("Resource").asText(),
                        dynamic(node, "TimeoutSeconds", language),
                        dynamic(node, "HeartbeatSeconds", language),
                        json(node, "Credentials"),
                        HandlerReader.retriers(node),
                        HandlerReader.catchers(node));
            case "Choice" ->
                new State.Choice(
                        name, comment, language, io, ConditionReader.branches(node, language), text(node, "Default"));
            case "Wait" -> new State.Wait(name, comment, language, io, transition(node), waitFor(node, language));
            case "Succeed" -> new State.Succeed(name, comment, language, io);
            case "Fail" ->
                new State.Fail(
                        name,
                        comment,
                        language,
                        io,
                        dynamic(node, "Error", language),
                        dynamic(node, "Cause", language));
            case "Parallel" ->
                new State.Parallel(
                        name,
                        comment,
                        language,
                        io,
                        transition(node),
                        branches(node),
                        HandlerReader.retriers(node),
                        HandlerReader.catchers(node));
            case "Map" -> map(name, comment, language, io, node);
            default -> throw new IllegalStateException("the validator admits no type " + type);
        };
    }

    private State.Map map(String name, Optional<String> comment, QueryLanguage language, DataFlow io, JsonNode node) {
        JsonNode processor = node.has("ItemProcessor") ? node.get("ItemProcessor") : node.get("Iterator");
        JsonNode config = processor.path("ProcessorConfig");
        var mode = config.path("Mode").asText("INLINE").equals("DISTRIBUTED")
                ? State.ProcessorMode.DISTRIBUTED
                : State.ProcessorMode.INLINE;
        Optional<JsonNode> selector = json(node, "ItemSelector").or(() -> json(node, "Parameters"));
        return new State.Map(
                name,
                comment,
                language,
                io,
                transition(node),
                graphs.graph(processor),
                mode,
                text(config, "ExecutionType"),
                text(node, "ItemsPath").orElse("$"),
                json(node, "Items"),
                selector,
                json(node, "ItemBatcher"),
                json(node, "ItemReader"),
                json(node, "ResultWriter"),
                dynamic(node, "MaxConcurrency", language),
                dynamic(node, "ToleratedFailureCount", language),
                dynamic(node, "ToleratedFailurePercentage", language),
                text(node, "Label"),
                HandlerReader.retriers(node),
                HandlerReader.catchers(node));
    }

    private List<Graph> branches(JsonNode node) {
        var out = new ArrayList<Graph>();
        node.get("Branches").forEach(b -> out.add(graphs.graph(b)));
        return List.copyOf(out);
    }

    private static Transition transition(JsonNode node) {
        return node.has("Next") ? new Transition.Next(node.get("Next").asText()) : new Transition.End();
    }

    private static State.WaitFor waitFor(JsonNode node, QueryLanguage language) {
        if (node.has("Seconds") || node.has("SecondsPath")) {
            return new State.WaitFor.Seconds(dynamic(node, "Seconds", language).orElseThrow());
        }
        return new State.WaitFor.Timestamp(dynamic(node, "Timestamp", language).orElseThrow());
    }

    /** {@code field} as a literal or a JSONata expression, or {@code field + "Path"} as a path. */
    static Optional<Dynamic> dynamic(JsonNode node, String field, QueryLanguage language) {
        JsonNode value = node.get(field);
        if (value != null) {
            if (language == QueryLanguage.JSONATA && Expressions.isExpression(value)) {
                return Optional.of(new Dynamic.Expression(Expressions.inner(value.asText())));
            }
            return Optional.of(new Dynamic.Literal(value));
        }
        JsonNode path = node.get(field + "Path");
        return path == null ? Optional.empty() : Optional.of(new Dynamic.Path(path.asText()));
    }
}
