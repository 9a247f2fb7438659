package dev.patchtide.workflow.run;

import java.time.Instant;

/**
 * What the interpreter needs from the world; the host supplies it. Nothing else in the interpreter reads a clock
 * or a random source, so a test (or a replay) controls every value.
 */
public interface Environment {
    /** Now, for event timestamps, {@code $$.State.EnteredTime} and timers. */
    Instant now();

    /** A new, unguessable task token ({@code $$.Task.Token}). */
    String newTaskToken();

    /** {@code States.UUID()} and {@code $uuid()}. */
    String newUuid();

    /** A number in [0, 1), for retry jitter. */
    double random();
}
