package dev.patchtide.server.windows;

import dev.patchtide.server.commands.CommandListener;
import dev.patchtide.server.commands.CommandListener.CommandChange;
import dev.patchtide.server.commands.CommandListener.InvocationChange;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * Changes the commands feature reports while a task's command is being sent: the task does not know its
 * command id yet, so they are kept (per thread: the send runs on the sender's thread and transaction) and
 * replayed once the id is stored. A command that ends at once (no instance matched) still ends its task.
 */
final class EarlyChanges {
    private final ThreadLocal<List<Object>> held = new ThreadLocal<>();

    /** Runs {@code send}, holding the changes reported meanwhile; returns its result and the held changes. */
    <T> Held<T> during(Supplier<T> send) {
        List<Object> changes = new ArrayList<>();
        held.set(changes);
        try {
            return new Held<>(send.get(), changes);
        } finally {
            held.remove();
        }
    }

    record Held<T>(T value, List<Object> changes) {
        /**
         * Replays in order; consecutive changes of invocations to the same status go together (a send to ten
         * thousand instances is one change of each to Pending: one call, not ten thousand).
         */
        void replay(Handle h, CommandListener listener) {
            List<InvocationChange> run = new ArrayList<>();
            for (Object c : changes) {
                switch (c) {
                    case InvocationChange i -> {
                        if (!run.isEmpty() && !alike(run.getFirst(), i)) {
                            listener.invocationsChanged(h, List.copyOf(run));
                            run.clear();
                        }
                        run.add(i);
                    }
                    case CommandChange command -> {
                        if (!run.isEmpty()) {
                            listener.invocationsChanged(h, List.copyOf(run));
                            run.clear();
                        }
                        listener.commandChanged(h, command);
                    }
                    default -> throw new IllegalStateException("unexpected change " + c);
                }
            }
            if (!run.isEmpty()) {
                listener.invocationsChanged(h, List.copyOf(run));
            }
        }

        private static boolean alike(InvocationChange a, InvocationChange b) {
            return a.commandId().equals(b.commandId())
                    && a.status().equals(b.status())
                    && a.statusDetails().equals(b.statusDetails())
                    && a.changedAt().equals(b.changedAt());
        }
    }

    /** Keeps a change for a command no task owns yet, if a send is under way on this thread. */
    boolean hold(Object change) {
        List<Object> changes = held.get();
        if (changes == null) {
            return false;
        }
        changes.add(change);
        return true;
    }
}
