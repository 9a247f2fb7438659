package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.StateMachine;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an execution to its end in memory: EXPRESS executions, TestState and the bench. Tasks are answered by a
 * {@link TaskHandler} in the order they were scheduled; timers fire in the order they are due, after
 * {@link Waiter#waitUntil} lets their time come. The snapshot stays a Java object throughout.
 */
public final class LocalRunner {
    /** Runs one task: its output, or a {@link StatesError} with the task's error and cause. */
    @FunctionalInterface
    public interface TaskHandler {
        JsonNode run(Effect.RunTask task);
    }

    /** Returns when {@code due} has come (a real clock sleeps; a test moves its clock). */
    @FunctionalInterface
    public interface Waiter {
        void waitUntil(Instant due) throws InterruptedException;
    }

    public record Result(Outcome outcome, List<HistoryEvent> events) {}

    private final StateMachine machine;
    private final boolean history;

    public LocalRunner(StateMachine machine) {
        this(machine, true);
    }

    /** {@code history} false: no history events are built (an EXPRESS run nobody reads the history of). */
    public LocalRunner(StateMachine machine, boolean history) {
        this.machine = machine;
        this.history = history;
    }

    public Result run(
            JsonNode input, ExecutionContext context, Environment environment, TaskHandler handler, Waiter waiter)
            throws InterruptedException {
        List<HistoryEvent> events = new ArrayList<>();
        ArrayDeque<Effect.RunTask> tasks = new ArrayDeque<>();
        Map<String, Instant> timers = new LinkedHashMap<>();
        Engine engine = Engine.start(machine, input, context, environment, history);
        while (true) {
            events.addAll(engine.events);
            for (Effect effect : engine.effects) {
                switch (effect) {
                    case Effect.RunTask task -> tasks.add(task);
                    case Effect.CancelTask cancel ->
                        tasks.removeIf(t -> t.taskId().equals(cancel.taskId()));
                    case Effect.StartTimer timer -> timers.put(timer.timerId(), timer.due());
                    case Effect.CancelTimer cancel -> timers.remove(cancel.timerId());
                }
            }
            if (engine.outcome() != null) {
                return new Result(engine.outcome(), events);
            }
            Run run = engine.run;
            Signal signal;
            if (!tasks.isEmpty()) {
                Effect.RunTask task = tasks.poll();
                signal = answer(task, handler);
                if (task.pattern() != Effect.Pattern.ACTIVITY || signal instanceof Signal.TaskSucceeded) {
                    engine = Engine.resume(
                            machine, run, new Signal.TaskStarted(task.taskId(), null), environment, history);
                    events.addAll(engine.events);
                }
            } else if (!timers.isEmpty()) {
                Map.Entry<String, Instant> next = null;
                for (Map.Entry<String, Instant> entry : timers.entrySet()) {
                    if (next == null || entry.getValue().isBefore(next.getValue())) {
                        next = entry; // the first started wins a tie
                    }
                }
                waiter.waitUntil(next.getValue());
                timers.remove(next.getKey());
                signal = new Signal.TimerFired(next.getKey());
            } else {
                throw new IllegalStateException("execution waits for nothing");
            }
            engine = Engine.resume(machine, run, signal, environment, history);
        }
    }

    private static Signal answer(Effect.RunTask task, TaskHandler handler) {
        try {
            return new Signal.TaskSucceeded(task.taskId(), handler.run(task));
        } catch (StatesError e) {
            return new Signal.TaskFailed(task.taskId(), e.error(), e.cause());
        } catch (RuntimeException e) {
            return new Signal.TaskFailed(task.taskId(), e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        }
    }
}
