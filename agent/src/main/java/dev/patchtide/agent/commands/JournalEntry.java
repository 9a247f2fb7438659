package dev.patchtide.agent.commands;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's record of one invocation. It is written before the invocation starts, at each step's start and
 * end, before a reboot, at the end, and when the server has taken an update. On disk as {@link JournalJson} writes it.
 *
 * @param rebootStep the index of the step that asked for the reboot the host is going through, -1 otherwise
 * @param outcome the final status, null until the invocation ended
 */
record JournalEntry(
        Invocation invocation,
        State state,
        Instant started,
        List<StepRecord> steps,
        int rebootStep,
        int reboots,
        Outcome outcome,
        boolean inProgressSent,
        boolean resultSent) {

    enum State {
        RUNNING,
        AWAITING_REBOOT,
        FINISHED
    }

    /** How the invocation ended, in AWS's words. */
    record Outcome(String status, String statusDetails, int responseCode, Instant end) {

        static Outcome of(String status, int responseCode, Instant end) {
            String details =
                    switch (status) {
                        case "TimedOut" -> "Execution Timed Out";
                        case "Success", "Failed", "Cancelled" -> status;
                        default -> throw new IllegalArgumentException("not a final status: " + status);
                    };
            return new Outcome(status, details, responseCode, end);
        }
    }

    JournalEntry {
        steps = List.copyOf(steps);
    }

    /**
     * A new invocation owes the server only its result: the server marked it InProgress when it handed it out, as
     * AWS does on receipt (an InProgress report per host would compete with the deliveries of a large send). An
     * entry written by an older agent still owes InProgress, and the server still takes it.
     */
    static JournalEntry running(Invocation invocation, Instant started) {
        return new JournalEntry(invocation, State.RUNNING, started, List.of(), -1, 0, null, true, false);
    }

    String commandId() {
        return invocation.commandId();
    }

    Instant deadline() {
        return started.plus(invocation.executionTimeout());
    }

    /** Records a step's start (or, on resume, replaces nothing: the step's record is already there). */
    JournalEntry withStep(int index, StepRecord step) {
        List<StepRecord> all = new ArrayList<>(steps);
        if (index < all.size()) {
            all.set(index, step);
        } else {
            all.add(step);
        }
        return new JournalEntry(
                invocation, state, started, all, rebootStep, reboots, outcome, inProgressSent, resultSent);
    }

    JournalEntry awaitingReboot(int step) {
        return new JournalEntry(
                invocation, State.AWAITING_REBOOT, started, steps, step, reboots + 1, outcome, inProgressSent, false);
    }

    JournalEntry resumed() {
        return new JournalEntry(
                invocation, State.RUNNING, started, steps, rebootStep, reboots, outcome, inProgressSent, false);
    }

    /** Ends the invocation; a step still open (timed out or cancelled before it could resume) ends with it. */
    JournalEntry finished(Outcome how) {
        List<StepRecord> ended = steps.stream()
                .map(s -> s.finished() ? s : s.ended(how.status(), how.responseCode(), how.end()))
                .toList();
        return new JournalEntry(invocation, State.FINISHED, started, ended, -1, reboots, how, inProgressSent, false);
    }

    JournalEntry markInProgressSent() {
        return new JournalEntry(invocation, state, started, steps, rebootStep, reboots, outcome, true, resultSent);
    }

    JournalEntry markResultSent() {
        return new JournalEntry(invocation, state, started, steps, rebootStep, reboots, outcome, true, true);
    }

    /** Something is owed to the server: the final result (or an older agent's InProgress not yet taken). */
    boolean unsent() {
        return !inProgressSent || (state == State.FINISHED && !resultSent);
    }
}
