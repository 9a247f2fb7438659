package dev.patchtide.agent.cli;

import dev.patchtide.agent.ApiCallException;
import java.net.ConnectException;

/** Words an error for a person at a terminal. */
public final class CliErrors {
    private CliErrors() {}

    public static String describe(Throwable error) {
        if (error instanceof ApiCallException api) {
            return api.getMessage();
        }
        if (error instanceof ConnectException || error.getCause() instanceof ConnectException) {
            return "cannot reach the Patchtide server (" + error.getMessage() + "); is it running?";
        }
        String message = error.getMessage();
        return message == null ? error.toString() : message;
    }
}
