package dev.patchtide.workflow.definition;

import java.util.List;
import java.util.Optional;

/** One {@code Retry} entry, with the specification's defaults filled in (1 s, 3 attempts, rate 2.0, jitter NONE). */
public record Retrier(
        List<String> errorEquals,
        int intervalSeconds,
        int maxAttempts,
        double backoffRate,
        Optional<Integer> maxDelaySeconds,
        Jitter jitter) {
    public enum Jitter {
        FULL,
        NONE
    }
}
