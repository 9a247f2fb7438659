package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Scope;
import dev.patchtide.workflow.definition.Graph;
import dev.patchtide.workflow.definition.State;
import dev.patchtide.workflow.definition.StateMachine;
import dev.patchtide.workflow.definition.Transition;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One step of one execution: feeds a signal (or the input) to the frames, runs every frame that can run, and
 * collects the events and effects. Frames that become runnable wait in a FIFO queue, so a Parallel's branches run
 * in branch order and a state's continuation after its branches comes after them.
 */
final class Engine {
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    final StateMachine machine;
    final Run run;
    final Environment env;
    final List<HistoryEvent> events = new ArrayList<>();
    final List<Effect> effects = new ArrayList<>();
    private Outcome outcome;
    /** False when nobody reads the history (an EXPRESS run): ids still count, details are not built. */
    boolean history = true;

    private ObjectNode executionNode;
    private ObjectNode machineNode;
    private long formattedAt;
    private String formatted;
    private JsonNode lastWritten;
    private String lastText;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final States states = new States(this);
    final Tasks tasks = new Tasks(this);
    final Fans fans = new Fans(this);
    private final Failures failures = new Failures(this);

    private Engine(StateMachine machine, Run run, Environment env) {
        this.machine = machine;
        this.run = run;
        this.env = env;
    }

    static Engine start(StateMachine machine, JsonNode input, ExecutionContext context, Environment env) {
        return start(machine, input, context, env, true);
    }

    static Engine start(
            StateMachine machine, JsonNode input, ExecutionContext context, Environment env, boolean history) {
        Run run = new Run();
        run.executionArn = context.executionArn();
        run.executionName = context.executionName();
        run.roleArn = context.roleArn();
        run.startTime = TIME.format(context.startTime());
        run.stateMachineArn = context.stateMachineArn();
        run.stateMachineName = context.stateMachineName();
        run.redriveCount = context.redriveCount();
        run.input = input;
        Engine engine = new Engine(machine, run, env);
        engine.history = history;
        ObjectNode details = Flow.NODES.objectNode();
        details.put("input", engine.text(input));
        details.set("inputDetails", Events.untruncated());
        if (context.roleArn() != null) {
            details.put("roleArn", context.roleArn());
        }
        run.lastEventId = 1;
        if (history) {
            engine.events.add(
                    new HistoryEvent(1, 0, env.now(), "ExecutionStarted", "executionStartedEventDetails", details));
        }
        Frame root = new Frame();
        root.id = run.newId("f");
        run.rootId = root.id;
        root.enter(machine.root().startAt(), input);
        run.frames.put(root.id, root);
        machine.timeoutSeconds()
                .ifPresent(seconds -> engine.startTimer(
                        Run.TimerKind.EXECUTION, root, env.now().plusSeconds(seconds)));
        engine.queue.add(root);
        engine.drain();
        return engine;
    }

    static Engine resume(StateMachine machine, Run run, Signal signal, Environment env) {
        return resume(machine, run, signal, env, true);
    }

    static Engine resume(StateMachine machine, Run run, Signal signal, Environment env, boolean history) {
        Engine engine = new Engine(machine, run, env);
        engine.history = history;
        if (!run.done) {
            engine.signal(signal);
            engine.drain();
        }
        return engine;
    }

    Step step() {
        return new Step(run, List.copyOf(events), List.copyOf(effects), Optional.ofNullable(outcome));
    }

    Outcome outcome() {
        return outcome;
    }

    private void signal(Signal signal) {
        switch (signal) {
            case Signal.TimerFired fired -> timer(fired.timerId());
            case Signal.TaskStarted started -> tasks.started(started.taskId(), started.workerName());
            case Signal.TaskSubmitted submitted -> tasks.submitted(submitted.taskId(), submitted.output());
            case Signal.TaskSucceeded succeeded -> tasks.succeeded(succeeded.taskId(), succeeded.output());
            case Signal.TaskFailed failed -> tasks.failed(failed.taskId(), failed.error(), failed.cause());
            case Signal.TaskHeartbeat heartbeat -> tasks.heartbeat(heartbeat.taskId());
            case Signal.Stop stop -> {
                emitExecution(
                        "ExecutionAborted",
                        "executionAbortedEventDetails",
                        Events.errorCause(stop.error(), stop.cause()));
                finish(new Outcome.Aborted(stop.error(), stop.cause()));
            }
        }
    }

    private void timer(String timerId) {
        String owner = run.timers.remove(timerId);
        if (owner == null) {
            return; // cancelled or already fired
        }
        int colon = owner.indexOf(':');
        Run.TimerKind kind = Run.TimerKind.valueOf(owner.substring(0, colon));
        Frame frame = run.frames.get(owner.substring(colon + 1));
        switch (kind) {
            case EXECUTION -> {
                emitExecution(
                        "ExecutionTimedOut",
                        "executionTimedOutEventDetails",
                        Events.errorCause(StatesError.TIMEOUT, null));
                finish(new Outcome.TimedOut(StatesError.TIMEOUT, null));
            }
            case WAIT -> {
                frame.timer = null;
                states.waitOver(frame, (State.Wait) state(frame));
                ready(frame);
            }
            case BACKOFF -> {
                frame.timer = null;
                frame.status = Frame.Status.READY;
                ready(frame);
            }
            case TIMEOUT, HEARTBEAT -> tasks.timedOut(frame, timerId);
        }
    }

    void ready(Frame frame) {
        if (frame.status == Frame.Status.READY) {
            queue.add(frame);
        }
    }

    private void drain() {
        while (!queue.isEmpty() && !run.done) {
            Frame frame = queue.poll();
            if (frame.status == Frame.Status.READY && run.frames.get(frame.id) == frame) {
                advance(frame);
            }
        }
    }

    private void advance(Frame frame) {
        while (frame.status == Frame.Status.READY && !run.done) {
            State state = state(frame);
            try {
                if (!frame.entered) {
                    frame.entered = true;
                    frame.enteredAt = env.now().toEpochMilli();
                    frame.enteredEvent = emit(
                            frame,
                            Events.prefix(state) + "StateEntered",
                            "stateEnteredEventDetails",
                            history ? Events.entered(state.name(), text(frame.input)) : null);
                }
                states.run(frame, state);
            } catch (StatesError e) {
                failState(frame, state, e.error(), located(e, frame, state));
            }
        }
    }

    Graph graph(Frame frame) {
        if (frame.graphCache == null) {
            Graph graph = machine.root();
            for (int i = 0; i < frame.graph.size(); i += 2) {
                State outer = graph.state(frame.graph.get(i));
                graph = outer instanceof State.Parallel parallel
                        ? parallel.branches().get(Integer.parseInt(frame.graph.get(i + 1)))
                        : ((State.Map) outer).itemProcessor();
            }
            frame.graphCache = graph;
        }
        return (Graph) frame.graphCache;
    }

    State state(Frame frame) {
        return graph(frame).state(frame.state);
    }

    Scope scope(Frame frame) {
        if (frame.scope == null) {
            Scope outer = frame.parent == null ? null : scope(run.frames.get(frame.parent));
            frame.scope = (outer == null ? Scope.EMPTY : outer.child()).assign(frame.vars);
        }
        return frame.scope;
    }

    /** {@code $$}; the Execution and StateMachine parts never change, so every state shares them (read-only). */
    JsonNode contextObject(Frame frame, State state) {
        if (executionNode == null) {
            executionNode = Flow.NODES.objectNode();
            executionNode.put("Id", run.executionArn);
            executionNode.set("Input", run.input);
            executionNode.put("Name", run.executionName);
            executionNode.put("RoleArn", run.roleArn);
            executionNode.put("StartTime", run.startTime);
            executionNode.put("RedriveCount", run.redriveCount);
            machineNode = Flow.NODES.objectNode();
            machineNode.put("Id", run.stateMachineArn);
            machineNode.put("Name", run.stateMachineName);
        }
        ObjectNode context = Flow.NODES.objectNode();
        context.set("Execution", executionNode);
        ObjectNode current = context.putObject("State");
        if (frame.enteredAt != formattedAt || formatted == null) {
            formattedAt = frame.enteredAt;
            formatted = TIME.format(Instant.ofEpochMilli(formattedAt));
        }
        current.put("EnteredTime", formatted);
        current.put("Name", state.name());
        current.put("RetryCount", frame.retryCount);
        context.set("StateMachine", machineNode);
        if (frame.taskToken != null) {
            context.putObject("Task").put("Token", frame.taskToken);
        }
        return context;
    }

    /**
     * A document's text for an event. A state's output is the next state's input (and the last one the execution's
     * output): the same node, written into two events back to back, is serialized once. Safe because nodes are never
     * changed once made (paths and templates build new ones), so a node's text cannot go stale.
     */
    String text(JsonNode node) {
        if (node != lastWritten) {
            lastText = node.toString();
            lastWritten = node;
        }
        return lastText;
    }

    long emit(Frame frame, String type, String key, ObjectNode details) {
        long id = ++run.lastEventId;
        if (history) {
            events.add(new HistoryEvent(id, frame.lastEvent, env.now(), type, key, details));
        }
        frame.lastEvent = id;
        return id;
    }

    private void emitExecution(String type, String key, ObjectNode details) {
        long id = ++run.lastEventId;
        if (history) {
            events.add(new HistoryEvent(id, id - 1, env.now(), type, key, details));
        }
    }

    String startTimer(Run.TimerKind kind, Frame frame, Instant due) {
        String id = run.newId("timer-");
        run.timers.put(id, kind.name() + ":" + frame.id);
        effects.add(new Effect.StartTimer(id, due));
        return id;
    }

    void cancelTimer(String timerId) {
        if (timerId != null && run.timers.remove(timerId) != null) {
            effects.add(new Effect.CancelTimer(timerId));
        }
    }

    /** The state is done: write its Exited event, keep its variables, and go on or end the frame. */
    void exit(Frame frame, State state, JsonNode output, Map<String, JsonNode> assigned, Transition transition) {
        emit(
                frame,
                Events.prefix(state) + "StateExited",
                "stateExitedEventDetails",
                history ? Events.exited(state.name(), text(output), assigned) : null);
        frame.assign(assigned);
        if (transition instanceof Transition.Next next) {
            frame.enter(next.state(), output);
        } else {
            succeeded(frame, output);
        }
    }

    void succeeded(Frame frame, JsonNode output) {
        frame.status = Frame.Status.SUCCEEDED;
        if (frame.parent == null) {
            ObjectNode details = Flow.NODES.objectNode();
            details.put("output", text(output));
            details.set("outputDetails", Events.untruncated());
            emit(frame, "ExecutionSucceeded", "executionSucceededEventDetails", details);
            finish(new Outcome.Succeeded(output));
        } else {
            fans.childEnded(frame, output, null, null);
        }
    }

    void failed(Frame frame, String error, String cause) {
        frame.status = Frame.Status.FAILED;
        if (frame.parent == null) {
            emit(frame, "ExecutionFailed", "executionFailedEventDetails", Events.errorCause(error, cause));
            finish(new Outcome.Failed(error, cause));
        } else {
            fans.childEnded(frame, null, error, cause);
        }
    }

    /** A state failed: retry it, catch the error, or fail its frame. */
    void failState(Frame frame, State state, String error, String cause) {
        failures.failState(frame, state, error, cause);
    }

    String located(StatesError error, Frame frame, State state) {
        return Failures.located(error, frame, state);
    }

    /** The execution ended: nothing it started matters any more. */
    void finish(Outcome end) {
        outcome = end;
        run.done = true;
        for (String taskId : run.tasks.keySet()) {
            effects.add(new Effect.CancelTask(taskId));
        }
        for (String timerId : run.timers.keySet()) {
            effects.add(new Effect.CancelTimer(timerId));
        }
        run.tasks.clear();
        run.timers.clear();
        run.frames.keySet().removeIf(id -> !id.equals(run.rootId));
        queue.clear();
    }
}
