package dev.patchtide.agent.commands;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The agent's own lines in a step's output (why it failed, what the agent did to it). */
final class Notes {
    private Notes() {}

    static void write(OutputStream to, String line) {
        try {
            to.write(("[patchtide] " + line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the output is closed: the step's status still says what happened
        }
    }
}
