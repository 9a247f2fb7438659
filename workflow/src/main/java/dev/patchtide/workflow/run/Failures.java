package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.Catcher;
import dev.patchtide.workflow.definition.Retrier;
import dev.patchtide.workflow.definition.State;
import dev.patchtide.workflow.definition.Transition;
import java.util.List;
import java.util.Map;

/** A state's failure: its Retry (a back-off timer, then the state again), its Catch, or its frame's failure. */
final class Failures {
    private final Engine engine;

    Failures(Engine engine) {
        this.engine = engine;
    }

    private static List<Retrier> retriers(State state) {
        return switch (state) {
            case State.Task task -> task.retry();
            case State.Parallel parallel -> parallel.retry();
            case State.Map map -> map.retry();
            default -> List.of();
        };
    }

    private static List<Catcher> catchers(State state) {
        return switch (state) {
            case State.Task task -> task.catchers();
            case State.Parallel parallel -> parallel.catchers();
            case State.Map map -> map.catchers();
            default -> List.of();
        };
    }

    /** A state failed: retry it, catch the error, or fail its frame. {@code States.Runtime} is never caught. */
    void failState(Frame frame, State state, String error, String cause) {
        List<Retrier> retriers = retriers(state);
        List<Catcher> catchers = catchers(state);
        if (!StatesError.RUNTIME.equals(error)) {
            for (int i = 0; i < retriers.size(); i++) {
                Retrier retrier = retriers.get(i);
                if (Retries.matches(retrier.errorEquals(), error)) {
                    if (frame.retries(i) < retrier.maxAttempts()) {
                        frame.countRetry(i);
                        long delay = Retries.delayMillis(retrier, frame.retries(i), engine.env.random());
                        if (delay <= 0) {
                            frame.status = Frame.Status.READY;
                            engine.ready(frame);
                        } else {
                            frame.status = Frame.Status.BACKOFF;
                            frame.timer = engine.startTimer(
                                    Run.TimerKind.BACKOFF,
                                    frame,
                                    engine.env.now().plusMillis(delay));
                        }
                        return;
                    }
                    break; // an exhausted retrier hands over to Catch
                }
            }
            for (Catcher catcher : catchers) {
                if (Retries.matches(catcher.errorEquals(), error)) {
                    caught(frame, state, catcher, error, cause);
                    return;
                }
            }
        }
        engine.failed(frame, error, cause);
    }

    private void caught(Frame frame, State state, Catcher catcher, String error, String cause) {
        ObjectNode errorOutput = Flow.NODES.objectNode();
        errorOutput.put("Error", error);
        errorOutput.put("Cause", cause == null ? "" : cause);
        Flow flow = new Flow(engine, frame, state);
        JsonNode output;
        Map<String, JsonNode> assigned;
        try {
            if (flow.jsonata()) {
                ObjectNode bindings = flow.states(null, errorOutput);
                String at = "Catch[" + catchers(state).indexOf(catcher) + "]/";
                output = catcher.output() == null ? errorOutput : flow.field(catcher.output(), at + "Output", bindings);
                assigned = flow.assignJsonata(catcher.assign(), at + "Assign", bindings);
            } else {
                assigned = flow.assign(catcher.assign(), errorOutput);
                output = Flow.place(catcher.resultPath(), frame.input, errorOutput);
            }
        } catch (StatesError e) {
            engine.failed(frame, e.error(), located(e, frame, state));
            return;
        }
        engine.exit(frame, state, output, assigned, new Transition.Next(catcher.next()));
        engine.ready(frame);
    }

    /**
     * The cause of an error the data layers threw, as AWS words it in an execution: the state and the id of its
     * Entered event first. (JSONata's errors come with it already; a Choice without a match has its own words.)
     */
    static String located(StatesError error, Frame frame, State state) {
        String prefix = "An error occurred while executing the state '";
        if (error.cause().startsWith(prefix) || StatesError.NO_CHOICE_MATCHED.equals(error.error())) {
            return error.cause();
        }
        return prefix + state.name() + "' (entered at the event id #" + frame.enteredEvent + "). " + error.cause();
    }
}
