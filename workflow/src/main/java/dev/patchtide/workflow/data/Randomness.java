package dev.patchtide.workflow.data;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Where {@code States.MathRandom} and {@code States.UUID} get their values; the interpreter passes its
 * environment's, so a test or a replay fixes them.
 */
public record Randomness(DoubleSupplier random, Supplier<String> uuid) {
    /** Real randomness, for callers that have no environment (tests of data flow, validation). */
    public static final Randomness DEFAULT =
            new Randomness(() -> ThreadLocalRandom.current().nextDouble(), () -> UUID.randomUUID()
                    .toString());
}
