package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Conditions;
import dev.patchtide.workflow.definition.ChoiceBranch;
import dev.patchtide.workflow.definition.Condition;
import dev.patchtide.workflow.definition.State;
import dev.patchtide.workflow.definition.Transition;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** The states that need no one else: Pass, Choice, Wait, Succeed and Fail; Task, Parallel and Map go elsewhere. */
final class States {
    private final Engine engine;

    States(Engine engine) {
        this.engine = engine;
    }

    void run(Frame frame, State state) {
        switch (state) {
            case State.Pass pass -> pass(frame, pass);
            case State.Task task -> engine.tasks.schedule(frame, task);
            case State.Choice choice -> choice(frame, choice);
            case State.Wait wait -> waitState(frame, wait);
            case State.Succeed succeed -> succeed(frame, succeed);
            case State.Fail fail -> fail(frame, fail);
            case State.Parallel parallel -> engine.fans.parallel(frame, parallel);
            case State.Map map -> engine.fans.map(frame, map);
        }
    }

    private void pass(Frame frame, State.Pass pass) {
        Flow flow = new Flow(engine, frame, pass);
        if (flow.jsonata()) {
            jsonataExit(flow, frame, pass, null, frame.input, null, null, "", pass.transition());
            return;
        }
        JsonNode effective = flow.parameters(flow.inputPath(frame.input));
        JsonNode result = pass.result().orElse(effective);
        Map<String, JsonNode> assigned = flow.assign(pass.io().assign(), result);
        JsonNode output = flow.outputPath(flow.resultPath(frame.input, result));
        engine.exit(frame, pass, output, assigned, pass.transition());
    }

    /** A JSONata state's end: Output (default {@code fallback}) and Assign, both against the old variables. */
    void jsonataExit(
            Flow flow,
            Frame frame,
            State state,
            JsonNode result,
            JsonNode fallback,
            JsonNode output,
            JsonNode assign,
            String prefix,
            Transition transition) {
        ObjectNode bindings = flow.states(result, null);
        String outputAt = output != null ? prefix : "";
        String assignAt = assign != null ? prefix : "";
        JsonNode outputField = output != null ? output : state.io().output();
        JsonNode assignField = assign != null ? assign : state.io().assign();
        Map<String, JsonNode> assigned = flow.assignJsonata(assignField, assignAt + "Assign", bindings);
        JsonNode value = outputField == null ? fallback : flow.field(outputField, outputAt + "Output", bindings);
        engine.exit(frame, state, value, assigned, transition);
    }

    private void choice(Frame frame, State.Choice choice) {
        Flow flow = new Flow(engine, frame, choice);
        JsonNode effective = flow.jsonata() ? frame.input : flow.inputPath(frame.input);
        for (int i = 0; i < choice.choices().size(); i++) {
            ChoiceBranch branch = choice.choices().get(i);
            String at = "Choices[" + i + "]/";
            if (test(flow, branch.condition(), effective, at + "Condition")) {
                leaveChoice(flow, frame, choice, effective, branch.output(), branch.assign(), at, branch.next());
                return;
            }
        }
        if (choice.defaultNext().isEmpty()) {
            throw new StatesError(StatesError.NO_CHOICE_MATCHED, "No Matches!");
        }
        leaveChoice(
                flow,
                frame,
                choice,
                effective,
                null,
                null,
                "",
                choice.defaultNext().get());
    }

    private boolean test(Flow flow, Condition condition, JsonNode effective, String location) {
        if (condition instanceof Condition.Jsonata expression) {
            JsonNode value = flow.expression(expression.expression(), location, flow.states(null, null));
            if (!value.isBoolean()) {
                throw new StatesError(
                        StatesError.QUERY_EVALUATION_ERROR,
                        "The JSONata expression '" + expression.expression() + "' specified for the field '" + location
                                + "' returned an unexpected result type. Expected 'boolean', but was '"
                                + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + "' for value: "
                                + value);
            }
            return value.booleanValue();
        }
        return Conditions.test(condition, effective, flow.context(), flow.scope());
    }

    private void leaveChoice(
            Flow flow,
            Frame frame,
            State.Choice choice,
            JsonNode effective,
            JsonNode output,
            JsonNode assign,
            String prefix,
            String next) {
        Transition transition = new Transition.Next(next);
        if (flow.jsonata()) {
            jsonataExit(flow, frame, choice, null, frame.input, output, assign, prefix, transition);
            return;
        }
        Map<String, JsonNode> assigned =
                flow.assign(assign != null ? assign : choice.io().assign(), effective);
        engine.exit(frame, choice, flow.outputPath(effective), assigned, transition);
    }

    private void waitState(Frame frame, State.Wait wait) {
        Flow flow = new Flow(engine, frame, wait);
        JsonNode effective = flow.jsonata() ? frame.input : flow.inputPath(frame.input);
        Instant now = engine.env.now();
        Instant due =
                switch (wait.waitFor()) {
                    case State.WaitFor.Seconds seconds -> {
                        long value = flow.whole(seconds.seconds(), effective, "Seconds");
                        if (value < 0) {
                            throw new StatesError(
                                    flow.jsonata() ? StatesError.QUERY_EVALUATION_ERROR : StatesError.RUNTIME,
                                    "The Seconds field must be a non-negative integer, but was: " + value);
                        }
                        yield now.plusSeconds(value);
                    }
                    case State.WaitFor.Timestamp timestamp ->
                        instant(flow, flow.dynamic(timestamp.timestamp(), effective, "Timestamp"));
                };
        if (flow.jsonata()) {
            ObjectNode bindings = flow.states(null, null);
            JsonNode outputField = wait.io().output();
            frame.pendingVars = flow.assignJsonata(wait.io().assign(), "Assign", bindings);
            frame.pending = outputField == null ? frame.input : flow.field(outputField, "Output", bindings);
        } else {
            frame.pendingVars = flow.assign(wait.io().assign(), effective);
            frame.pending = flow.outputPath(effective);
        }
        if (!due.isAfter(now)) {
            waitOver(frame, wait);
            return;
        }
        frame.status = Frame.Status.WAIT;
        frame.timer = engine.startTimer(Run.TimerKind.WAIT, frame, due);
    }

    void waitOver(Frame frame, State.Wait wait) {
        JsonNode output = frame.pending;
        Map<String, JsonNode> assigned = frame.pendingVars;
        frame.pending = null;
        frame.pendingVars = null;
        frame.status = Frame.Status.READY;
        engine.exit(frame, wait, output, assigned, wait.transition());
    }

    private static Instant instant(Flow flow, JsonNode value) {
        try {
            return OffsetDateTime.parse(value.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw new StatesError(
                    flow.jsonata() ? StatesError.QUERY_EVALUATION_ERROR : StatesError.RUNTIME,
                    "The Timestamp field must be an RFC3339 timestamp, but was: " + value);
        }
    }

    private void succeed(Frame frame, State.Succeed succeed) {
        Flow flow = new Flow(engine, frame, succeed);
        Transition end = new Transition.End();
        if (flow.jsonata()) {
            jsonataExit(flow, frame, succeed, null, frame.input, null, null, "", end);
            return;
        }
        JsonNode output = flow.outputPath(flow.inputPath(frame.input));
        engine.exit(frame, succeed, output, flow.assign(succeed.io().assign(), output), end);
    }

    private void fail(Frame frame, State.Fail fail) {
        Flow flow = new Flow(engine, frame, fail);
        String error = fail.error()
                .map(d -> text(flow.dynamic(d, frame.input, "Error")))
                .orElse(null);
        String cause = fail.cause()
                .map(d -> text(flow.dynamic(d, frame.input, "Cause")))
                .orElse(null);
        engine.failed(frame, error, cause);
    }

    private static String text(JsonNode value) {
        return value == null || value.isNull() ? null : value.isTextual() ? value.asText() : value.toString();
    }
}
