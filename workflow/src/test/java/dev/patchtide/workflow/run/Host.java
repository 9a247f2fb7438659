package dev.patchtide.workflow.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.Definitions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A test host: feeds signals to the interpreter, answers tasks with handlers keyed by resource, fires timers by
 * moving a fake clock, and stores every snapshot as JSON text between steps (each step starts from the parsed
 * text, and the text must come back unchanged).
 */
final class Host implements Environment {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String REGION_ARN = "arn:aws:states:eu-west-1:123456789012";

    final Interpreter interpreter;
    final Map<String, Function<JsonNode, JsonNode>> handlers = new LinkedHashMap<>();
    final List<HistoryEvent> events = new ArrayList<>();
    final List<Effect> effects = new ArrayList<>();
    /** Pending tasks nobody answers automatically, by task id. */
    final Map<String, Effect.RunTask> held = new LinkedHashMap<>();

    final Map<String, Instant> timers = new LinkedHashMap<>();
    /** When each timer fired, relative to the start, in order. */
    final List<Duration> fired = new ArrayList<>();

    final List<Effect.RunTask> scheduled = new ArrayList<>();
    Instant now = T0;
    double random = 0.5;
    int tokens;
    Snapshot snapshot;
    Outcome outcome;

    Host(String definition) {
        try {
            interpreter = new Interpreter(Definitions.parse(definition));
        } catch (Exception e) {
            throw new AssertionError("definition rejected: " + e.getMessage(), e);
        }
    }

    Host task(String resource, Function<JsonNode, JsonNode> handler) {
        handlers.put(resource, handler);
        return this;
    }

    static ExecutionContext context() {
        return new ExecutionContext(
                REGION_ARN + ":execution:machine:run-1",
                "run-1",
                "arn:aws:iam::123456789012:role/sfn",
                T0,
                REGION_ARN + ":stateMachine:machine",
                "machine",
                0);
    }

    /** Starts and runs until the execution ends or waits only for held tasks. */
    Host start(String input) {
        take(interpreter.start(parse(input), context(), this));
        return settle();
    }

    Host signal(Signal signal) {
        take(interpreter.resume(snapshot, signal, this));
        return settle();
    }

    /** Answers tasks with handlers and fires timers until nothing else can happen without the test. */
    Host settle() {
        while (outcome == null) {
            Effect.RunTask task = held.values().stream()
                    .filter(t -> handlers.containsKey(t.resource()))
                    .findFirst()
                    .orElse(null);
            if (task != null) {
                held.remove(task.taskId());
                if (task.pattern() != Effect.Pattern.ACTIVITY) {
                    take(interpreter.resume(snapshot, new Signal.TaskStarted(task.taskId(), null), this));
                }
                Signal answer;
                try {
                    answer = new Signal.TaskSucceeded(
                            task.taskId(), handlers.get(task.resource()).apply(task.parameters()));
                } catch (StatesError e) {
                    answer = new Signal.TaskFailed(task.taskId(), e.error(), e.cause());
                }
                take(interpreter.resume(snapshot, answer, this));
            } else if (!timers.isEmpty() && held.isEmpty()) {
                fireNext();
            } else {
                break;
            }
        }
        return this;
    }

    void fireNext() {
        Map.Entry<String, Instant> next = null;
        for (Map.Entry<String, Instant> entry : timers.entrySet()) {
            if (next == null || entry.getValue().isBefore(next.getValue())) {
                next = entry;
            }
        }
        timers.remove(next.getKey());
        if (next.getValue().isAfter(now)) {
            now = next.getValue();
        }
        fired.add(Duration.between(T0, now));
        take(interpreter.resume(snapshot, new Signal.TimerFired(next.getKey()), this));
    }

    private void take(Step step) {
        String text = step.snapshot().toJson().toString();
        Snapshot back = Snapshot.fromJson(parse(text));
        assertThat(back.toJson().toString()).isEqualTo(text);
        snapshot = back;
        events.addAll(step.events());
        effects.addAll(step.effects());
        for (Effect effect : step.effects()) {
            switch (effect) {
                case Effect.RunTask task -> {
                    held.put(task.taskId(), task);
                    scheduled.add(task);
                }
                case Effect.CancelTask cancel -> held.remove(cancel.taskId());
                case Effect.StartTimer timer -> timers.put(timer.timerId(), timer.due());
                case Effect.CancelTimer cancel -> timers.remove(cancel.timerId());
            }
        }
        step.outcome().ifPresent(o -> outcome = o);
    }

    List<String> types() {
        return events.stream().map(HistoryEvent::type).toList();
    }

    HistoryEvent last(String type) {
        return events.reversed().stream()
                .filter(e -> e.type().equals(type))
                .findFirst()
                .orElseThrow();
    }

    JsonNode output() {
        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        return ((Outcome.Succeeded) outcome).output();
    }

    Outcome.Failed failure() {
        assertThat(outcome).isInstanceOf(Outcome.Failed.class);
        return (Outcome.Failed) outcome;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public String newTaskToken() {
        return "token-" + (++tokens);
    }

    @Override
    public String newUuid() {
        return "00000000-0000-4000-8000-00000000000" + (++tokens % 10);
    }

    @Override
    public double random() {
        return random;
    }
}
