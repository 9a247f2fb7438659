package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.definition.StateMachine;

/**
 * Runs one state machine as a pure step function: {@link #start} and {@link #resume} compute what happens next
 * and never do I/O themselves. Everything that can run without waiting (Pass, Choice, a Wait of zero, the
 * ends of branches) runs within one step; a step stops at tasks and timers.
 *
 * <p>For hosts: answer each {@link Effect.RunTask} with {@link Signal.TaskStarted} when the call starts (an
 * activity: when a worker takes it), then {@link Signal.TaskSucceeded} or {@link Signal.TaskFailed}; a success or
 * failure without a start writes the start event first (not for activities). Timers come only from
 * {@link Effect.StartTimer} (Wait, retry back-off, TimeoutSeconds, HeartbeatSeconds, the machine's TimeoutSeconds);
 * the default task timeout (99999999 s) starts none. Task and timer ids are unique in their execution.
 */
public final class Interpreter {
    private final StateMachine machine;

    public Interpreter(StateMachine machine) {
        this.machine = machine;
    }

    public StateMachine machine() {
        return machine;
    }

    public Step start(JsonNode input, ExecutionContext context, Environment environment) {
        return Engine.start(machine, input, context, environment).step();
    }

    /**
     * Feeds one signal. {@code snapshot} is left as it was (the step works on a copy), so a host whose
     * transaction failed can feed the signal again.
     */
    public Step resume(Snapshot snapshot, Signal signal, Environment environment) {
        if (!(snapshot instanceof Run run)) {
            throw new IllegalArgumentException("not a snapshot of this interpreter");
        }
        return Engine.resume(machine, run.copy(), signal, environment).step();
    }
}
