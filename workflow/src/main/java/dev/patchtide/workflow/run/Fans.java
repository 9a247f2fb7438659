package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.JsonPaths;
import dev.patchtide.workflow.data.Templates;
import dev.patchtide.workflow.definition.Graph;
import dev.patchtide.workflow.definition.State;
import dev.patchtide.workflow.definition.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parallel and Map: each branch or iteration runs in a frame of its own; the state ends when all have ended (its
 * output the array of their outputs, in order) or when one fails (the others are aborted). Also the common end of
 * a state with a result (Task, Parallel, Map): ResultSelector, ResultPath, OutputPath or JSONata's Output.
 */
final class Fans {
    static final String THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded";

    private final Engine engine;

    Fans(Engine engine) {
        this.engine = engine;
    }

    void parallel(Frame frame, State.Parallel parallel) {
        Flow flow = new Flow(engine, frame, parallel);
        JsonNode input;
        if (flow.jsonata()) {
            JsonNode arguments = parallel.io().arguments();
            input = arguments == null ? frame.input : flow.field(arguments, "Arguments", flow.states(null, null));
        } else {
            input = flow.parameters(flow.inputPath(frame.input));
        }
        Fan fan = new Fan();
        for (int i = 0; i < parallel.branches().size(); i++) {
            fan.inputs.add(input);
            fan.children.add(null);
            fan.results.add(null);
        }
        open(frame, fan, "ParallelStateStarted", null, null);
    }

    void map(Frame frame, State.Map map) {
        Flow flow = new Flow(engine, frame, map);
        JsonNode effective = flow.jsonata() ? frame.input : flow.inputPath(frame.input);
        JsonNode items;
        if (flow.jsonata()) {
            items = map.items()
                    .map(i -> flow.field(i, "Items", flow.states(null, null)))
                    .orElse(frame.input);
        } else {
            items = "$".equals(map.itemsPath())
                    ? effective
                    : JsonPaths.readReference(map.itemsPath(), effective, flow.context(), flow.scope());
        }
        if (items == null || !items.isArray()) {
            throw new StatesError(
                    flow.jsonata() ? StatesError.QUERY_EVALUATION_ERROR : StatesError.RUNTIME,
                    "Map state input must be an array, but was: " + items);
        }
        Fan fan = new Fan();
        fan.map = true;
        List<JsonNode> selected = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (map.itemSelector().isPresent()) {
                JsonNode context = flow.itemContext(i, item);
                if (flow.jsonata()) {
                    ObjectNode states = flow.states(null, null);
                    states.set("context", context);
                    item = flow.field(map.itemSelector().get(), "ItemSelector", states);
                } else {
                    item = Templates.apply(map.itemSelector().get(), effective, context, flow.scope());
                }
            }
            selected.add(item);
        }
        fan.inputs =
                map.itemBatcher().isPresent() ? batches(flow, map.itemBatcher().get(), selected, effective) : selected;
        for (int i = 0; i < fan.inputs.size(); i++) {
            fan.children.add(null);
            fan.results.add(null);
        }
        fan.maxConcurrency = map.maxConcurrency()
                .map(d -> (int) flow.whole(d, effective, "MaxConcurrency"))
                .orElse(0);
        boolean tolerates = map.toleratedFailureCount().isPresent()
                || map.toleratedFailurePercentage().isPresent();
        if (tolerates || map.mode() == State.ProcessorMode.DISTRIBUTED) {
            fan.toleratedCount = map.toleratedFailureCount()
                    .map(d -> flow.whole(d, effective, "ToleratedFailureCount"))
                    .orElse(map.toleratedFailurePercentage().isPresent() ? Long.MAX_VALUE : 0L);
            fan.toleratedPercentage = map.toleratedFailurePercentage()
                    .map(d -> flow.dynamic(d, effective, "ToleratedFailurePercentage")
                            .asDouble())
                    .orElse(100.0);
        }
        ObjectNode details = Flow.NODES.objectNode().put("length", fan.inputs.size());
        open(frame, fan, "MapStateStarted", "mapStateStartedEventDetails", details);
    }

    private List<JsonNode> batches(Flow flow, JsonNode batcher, List<JsonNode> items, JsonNode effective) {
        long perBatch = Long.MAX_VALUE;
        if (batcher.has("MaxItemsPerBatch")) {
            perBatch = batcher.get("MaxItemsPerBatch").asLong();
        } else if (batcher.has("MaxItemsPerBatchPath")) {
            perBatch = JsonPaths.read(
                            batcher.get("MaxItemsPerBatchPath").asText(), effective, flow.context(), flow.scope())
                    .asLong();
        }
        JsonNode batchInput = batcher.get("BatchInput");
        if (batchInput != null && !flow.jsonata()) {
            batchInput = Templates.apply(batchInput, effective, flow.context(), flow.scope());
        } else if (batchInput != null) {
            batchInput = flow.field(batchInput, "ItemBatcher/BatchInput", flow.states(null, null));
        }
        List<JsonNode> batches = new ArrayList<>();
        ArrayNode current = null;
        for (JsonNode item : items) {
            if (current == null || current.size() >= perBatch) {
                ObjectNode batch = Flow.NODES.objectNode();
                if (batchInput != null) {
                    batch.set("BatchInput", batchInput);
                }
                current = batch.putArray("Items");
                batches.add(batch);
            }
            current.add(item);
        }
        return batches;
    }

    private void open(Frame frame, Fan fan, String type, String key, ObjectNode details) {
        fan.startedEvent = engine.emit(frame, type, key, details);
        fan.lastIteration = fan.startedEvent;
        frame.fan = fan;
        frame.status = Frame.Status.FAN;
        if (fan.inputs.isEmpty()) {
            close(frame);
        } else {
            startChildren(frame);
        }
    }

    private void startChildren(Frame frame) {
        Fan fan = frame.fan;
        State state = engine.state(frame);
        while (fan.next < fan.inputs.size() && (fan.maxConcurrency <= 0 || fan.running < fan.maxConcurrency)) {
            int index = fan.next++;
            Frame child = new Frame();
            child.id = engine.run.newId("f");
            child.parent = frame.id;
            child.index = index;
            child.graph = new ArrayList<>(frame.graph);
            child.graph.add(state.name());
            child.graph.add(fan.map ? "0" : Integer.toString(index));
            // iterations started later follow the last state event of the one that made room
            child.lastEvent = fan.map ? frame.lastEvent : fan.startedEvent;
            Graph graph = engine.graph(child);
            child.enter(graph.startAt(), fan.inputs.get(index));
            engine.run.frames.put(child.id, child);
            fan.children.set(index, child.id);
            fan.running++;
            if (fan.map) {
                engine.emit(
                        child,
                        "MapIterationStarted",
                        "mapIterationStartedEventDetails",
                        Events.iteration(state.name(), index));
            }
            engine.ready(child);
        }
    }

    void childEnded(Frame child, JsonNode output, String error, String cause) {
        Frame parent = engine.run.frames.get(child.parent);
        Fan fan = parent.fan;
        engine.run.frames.remove(child.id);
        fan.children.set(child.index, null);
        fan.running--;
        fan.done++;
        long last = child.lastEvent;
        if (fan.map) {
            boolean ok = child.status == Frame.Status.SUCCEEDED;
            fan.lastIteration = engine.emit(
                    child,
                    ok ? "MapIterationSucceeded" : "MapIterationFailed",
                    ok ? "mapIterationSucceededEventDetails" : "mapIterationFailedEventDetails",
                    Events.iteration(parent.state, child.index));
        }
        parent.lastEvent = last;
        if (child.status == Frame.Status.SUCCEEDED) {
            fan.results.set(child.index, output);
        } else {
            fan.failed++;
            if (fan.toleratedCount < 0) {
                abortFan(parent, error, cause);
                return;
            }
            ObjectNode failure = Flow.NODES.objectNode();
            failure.put("Error", error);
            failure.put("Cause", cause == null ? "" : cause);
            fan.results.set(child.index, failure);
            boolean overCount = fan.failed > fan.toleratedCount;
            boolean overShare = fan.failed * 100.0 / fan.inputs.size() > fan.toleratedPercentage;
            if (overCount || overShare) {
                abortFan(parent, StatesError.EXCEEDED_TOLERATED_FAILURE_THRESHOLD, THRESHOLD_CAUSE);
                return;
            }
        }
        if (fan.done == fan.inputs.size()) {
            close(parent);
        } else {
            startChildren(parent);
        }
    }

    private void close(Frame frame) {
        Fan fan = frame.fan;
        State state = engine.state(frame);
        // AWS chains both MapStateSucceeded and MapStateExited to the last iteration's end
        long previous = fan.map ? fan.lastIteration : frame.lastEvent;
        frame.lastEvent = previous;
        engine.emit(frame, fan.map ? "MapStateSucceeded" : "ParallelStateSucceeded", null, null);
        frame.lastEvent = previous;
        ArrayNode result = Flow.NODES.arrayNode();
        fan.results.forEach(result::add);
        frame.fan = null;
        frame.status = Frame.Status.READY;
        result(frame, state, result);
    }

    private void abortFan(Frame frame, String error, String cause) {
        Fan fan = frame.fan;
        State state = engine.state(frame);
        abortChildren(fan);
        engine.emit(frame, fan.map ? "MapStateFailed" : "ParallelStateFailed", null, null);
        frame.fan = null;
        frame.status = Frame.Status.READY;
        engine.failState(frame, state, error, cause);
        engine.ready(frame);
    }

    private void abortChildren(Fan fan) {
        for (String id : fan.children) {
            Frame child = id == null ? null : engine.run.frames.get(id);
            if (child != null) {
                abort(child, fan.map);
            }
        }
    }

    /** Stops a branch or iteration and everything under it, writing the Aborted events of what was running. */
    private void abort(Frame frame, boolean iteration) {
        boolean running = frame.entered;
        State state = running ? engine.state(frame) : null;
        switch (frame.status) {
            case TASK -> engine.tasks.abort(frame);
            case WAIT, BACKOFF -> engine.cancelTimer(frame.timer);
            case FAN -> abortChildren(frame.fan);
            default -> running = false;
        }
        if (running) {
            engine.emit(frame, Events.prefix(state) + "StateAborted", null, null);
        }
        if (iteration) {
            Frame parent = engine.run.frames.get(frame.parent);
            engine.emit(
                    frame,
                    "MapIterationAborted",
                    "mapIterationAbortedEventDetails",
                    Events.iteration(parent.state, frame.index));
        }
        frame.status = Frame.Status.ABORTED;
        engine.run.frames.remove(frame.id);
    }

    /** A state with a result (Task, Parallel, Map) ends: the result goes through the state's output processing. */
    void result(Frame frame, State state, JsonNode result) {
        Flow flow = new Flow(engine, frame, state);
        try {
            Transition transition =
                    switch (state) {
                        case State.Task task -> task.transition();
                        case State.Parallel parallel -> parallel.transition();
                        case State.Map map -> map.transition();
                        default -> throw new IllegalStateException(state.name());
                    };
            if (flow.jsonata()) {
                ObjectNode bindings = flow.states(result, null);
                JsonNode outputField = state.io().output();
                JsonNode output = outputField == null ? result : flow.field(outputField, "Output", bindings);
                Map<String, JsonNode> assigned = flow.assignJsonata(state.io().assign(), "Assign", bindings);
                engine.exit(frame, state, output, assigned, transition);
            } else {
                JsonNode selected = flow.resultSelector(result);
                Map<String, JsonNode> assigned = flow.assign(state.io().assign(), selected);
                JsonNode output = flow.outputPath(flow.resultPath(frame.input, selected));
                engine.exit(frame, state, output, assigned, transition);
            }
        } catch (StatesError e) {
            engine.failState(frame, state, e.error(), engine.located(e, frame, state));
        }
        engine.ready(frame);
    }
}
