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
        void replay(Handle h, CommandListener listener) {
            for (Object c : changes) {
                switch (c) {
                    case InvocationChange i -> listener.invocationChanged(h, i);
                    case CommandChange command -> listener.commandChanged(h, command);
                    default -> throw new IllegalStateException("unexpected change " + c);
                }
            }
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
