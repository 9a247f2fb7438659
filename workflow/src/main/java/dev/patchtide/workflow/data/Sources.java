package dev.patchtide.workflow.data;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Where {@code States.MathRandom} and {@code States.UUID} get their values; the interpreter passes its
 * environment's, so a test or a replay fixes them.
 */
public record Sources(DoubleSupplier random, Supplier<String> uuid) {
    /** Real randomness, for callers that have no environment (tests of data flow, validation). */
    public static final Sources DEFAULT =
            new Sources(() -> ThreadLocalRandom.current().nextDouble(), () -> UUID.randomUUID()
                    .toString());
}
