package dev.patchtide.workflow.run;

import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.Retrier;
import java.util.List;

/** Which {@code ErrorEquals} match an error, and how long a retry waits. */
final class Retries {
    private Retries() {}

    static boolean matches(List<String> errorEquals, String error) {
        for (String name : errorEquals) {
            if (name.equals(error)) {
                return true;
            }
            if (name.equals(StatesError.ALL)) {
                return true;
            }
            // States.TaskFailed stands for any error but a timeout
            if (name.equals(StatesError.TASK_FAILED)
                    && !error.equals(StatesError.TIMEOUT)
                    && !error.equals(StatesError.HEARTBEAT_TIMEOUT)) {
                return true;
            }
            if (name.equals(StatesError.TIMEOUT) && error.equals(StatesError.HEARTBEAT_TIMEOUT)) {
                return true;
            }
        }
        return false;
    }

    /** Milliseconds before retry number {@code attempt} (1 for the first retry). */
    static long delayMillis(Retrier retrier, int attempt, double random) {
        double seconds = retrier.intervalSeconds() * Math.pow(retrier.backoffRate(), attempt - 1);
        if (retrier.maxDelaySeconds().isPresent()) {
            seconds = Math.min(seconds, retrier.maxDelaySeconds().get());
        }
        if (retrier.jitter() == Retrier.Jitter.FULL) {
            seconds = seconds * random;
        }
        return Math.round(seconds * 1000);
    }
}
