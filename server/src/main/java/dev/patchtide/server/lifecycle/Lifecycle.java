package dev.patchtide.server.lifecycle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The states one kind of thing goes through and the only moves between them, as an explicit table. Code
 * that changes a state asks {@link #require} first (or {@link #allows}, where a caller asked for the change
 * and deserves an API error), makes the change conditional on the state it read (so two server nodes never
 * both make it), and reports it with {@link #taken} once it happened. Tests open a {@link #record()} to see
 * which transitions a run really took, and fail on any that none of their scenarios reached.
 */
public final class Lifecycle<S extends Enum<S>> {
    /** One allowed move, named after what causes it. */
    public record Transition<S extends Enum<S>>(S from, S to, String trigger) {
        @Override
        public String toString() {
            return from + " -> " + to + " (" + trigger + ")";
        }
    }

    private final String name;
    private final Map<S, Map<S, Transition<S>>> table;
    private final List<Transition<S>> transitions;
    private final List<Recording<S>> recordings = new CopyOnWriteArrayList<>();

    private Lifecycle(String name, Class<S> states, List<Transition<S>> transitions) {
        this.name = name;
        this.transitions = List.copyOf(transitions);
        Map<S, Map<S, Transition<S>>> byFrom = new EnumMap<>(states);
        for (Transition<S> t : transitions) {
            Transition<S> twice =
                    byFrom.computeIfAbsent(t.from(), s -> new LinkedHashMap<>()).putIfAbsent(t.to(), t);
            if (twice != null) {
                throw new IllegalArgumentException(name + ": transition " + t + " listed twice");
            }
        }
        this.table = byFrom;
    }

    public static <S extends Enum<S>> Builder<S> of(String name, Class<S> states) {
        return new Builder<>(name, states);
    }

    /** Collects the table, one {@code from -> to} at a time. */
    public static final class Builder<S extends Enum<S>> {
        private final String name;
        private final Class<S> states;
        private final List<Transition<S>> transitions = new ArrayList<>();

        private Builder(String name, Class<S> states) {
            this.name = name;
            this.states = states;
        }

        public Builder<S> on(String trigger, S from, S to) {
            transitions.add(new Transition<>(from, to, trigger));
            return this;
        }

        public Lifecycle<S> build() {
            return new Lifecycle<>(name, states, transitions);
        }
    }

    /** A move the table does not have: a bug in the code that tried it, never a caller's mistake. */
    public static final class IllegalTransition extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        IllegalTransition(String message) {
            super(message);
        }
    }

    public String name() {
        return name;
    }

    /** Every allowed move, in the order the table lists them. */
    public List<Transition<S>> transitions() {
        return transitions;
    }

    public Optional<Transition<S>> find(S from, S to) {
        return Optional.ofNullable(table.getOrDefault(from, Map.of()).get(to));
    }

    public boolean allows(S from, S to) {
        return find(from, to).isPresent();
    }

    /** @throws IllegalTransition when the table has no such move */
    public Transition<S> require(S from, S to) {
        return find(from, to).orElseThrow(() -> new IllegalTransition(name + " cannot go from " + from + " to " + to));
    }

    /**
     * Reports a move that has just been made (the conditional update changed the row), for the recordings
     * tests hold open.
     *
     * @throws IllegalTransition when the table has no such move: the code changed a state it must not
     */
    public void taken(S from, S to) {
        Transition<S> t = require(from, to);
        for (Recording<S> r : recordings) {
            r.taken.add(t);
        }
    }

    /**
     * Makes a move: checks it against the table, runs {@code conditionalChange} (which changes the row only
     * while it is still in {@code from}, and answers whether it did) and reports the move when it happened.
     *
     * @throws IllegalTransition when the table has no such move
     */
    public boolean change(S from, S to, BooleanSupplier conditionalChange) {
        require(from, to);
        boolean made = conditionalChange.getAsBoolean();
        if (made) {
            taken(from, to);
        }
        return made;
    }

    /** Starts noting every transition taken (by any thread) until the recording is closed. */
    public Recording<S> record() {
        Recording<S> r = new Recording<>(this);
        recordings.add(r);
        return r;
    }

    /** The transitions taken while it was open. */
    public static final class Recording<S extends Enum<S>> implements AutoCloseable {
        private final Lifecycle<S> lifecycle;
        private final Set<Transition<S>> taken = ConcurrentHashMap.newKeySet();

        private Recording(Lifecycle<S> lifecycle) {
            this.lifecycle = lifecycle;
        }

        public Set<Transition<S>> taken() {
            return Collections.unmodifiableSet(taken);
        }

        /** The table's transitions that were never taken while recording, in table order. */
        public List<Transition<S>> missing() {
            return lifecycle.transitions().stream()
                    .filter(t -> !taken.contains(t))
                    .toList();
        }

        @Override
        public void close() {
            lifecycle.recordings.remove(this);
        }
    }
}
