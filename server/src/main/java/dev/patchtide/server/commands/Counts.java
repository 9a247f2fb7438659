package dev.patchtide.server.commands;

import java.util.EnumMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** How many invocations of one command are in each state. */
record Counts(Map<InvocationState, Integer> byState) {

    static Counts of(Handle handle, java.util.UUID commandId) {
        Map<InvocationState, Integer> byState = new EnumMap<>(InvocationState.class);
        handle.createQuery("SELECT state, count(*) AS n FROM command_invocations WHERE command_id = :id GROUP BY state")
                .bind("id", commandId)
                .map((rs, ctx) -> Map.entry(InvocationState.valueOf(rs.getString("state")), rs.getInt("n")))
                .forEach(e -> byState.put(e.getKey(), e.getValue()));
        return new Counts(byState);
    }

    int of(InvocationState state) {
        return byState.getOrDefault(state, 0);
    }

    int total() {
        return byState.values().stream().mapToInt(Integer::intValue).sum();
    }

    int open() {
        return byState.entrySet().stream()
                .filter(e -> !e.getKey().isFinal())
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    int withAgent() {
        return of(InvocationState.DELIVERED) + of(InvocationState.CANCELLING);
    }

    int inFlight() {
        return of(InvocationState.RELEASED) + withAgent();
    }

    /** Invocations an agent took or that ended: once there is one, the command is in progress. */
    int sent() {
        return total() - of(InvocationState.QUEUED) - of(InvocationState.RELEASED);
    }

    int completed() {
        return total() - open();
    }

    int errors() {
        return of(InvocationState.FAILED) + of(InvocationState.EXECUTION_TIMED_OUT);
    }
}
