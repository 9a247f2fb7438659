package dev.patchtide.server.commands;

import dev.patchtide.server.auth.Principal;
import org.jdbi.v3.core.Handle;

/**
 * Sends and cancels commands for other features (maintenance windows, workflows), inside their own
 * transaction, with exactly the checks and effects of {@code SendCommand} and {@code CancelCommand}.
 */
public interface CommandLauncher {

    /**
     * Creates the command and its invocations (targets resolved now) and returns its id. Bad input throws
     * the {@code ApiException} SendCommand would answer (InvalidDocument, InvalidParameters, ...).
     */
    String send(Handle handle, CommandSpec spec, Principal requestedBy);

    /** Cancels what has not finished yet, as {@code CancelCommand} for every instance of the command. */
    void cancel(Handle handle, String commandId);
}
