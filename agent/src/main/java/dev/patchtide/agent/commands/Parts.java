package dev.patchtide.agent.commands;

import dev.patchtide.agent.ApiClient;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What an {@link Execution} works with, from its {@link CommandRunner}.
 *
 * @param onChange wakes the sender: the journal holds something new for the server
 * @param onEnd told when an execution's thread ends, with its command id
 * @param onRestart told, with its command id, when an invocation that replaced the agent's package has ended
 */
record Parts(
        Journal journal,
        Map<String, Plugin> plugins,
        RebootAction reboot,
        ApiClient api,
        PatchScans scans,
        Path root,
        InstantSource clock,
        long outputCap,
        Runnable onChange,
        Consumer<String> onEnd,
        Consumer<String> onRestart) {

    void changed() {
        onChange.run();
    }

    void restartAgentAfter(String commandId) {
        onRestart.accept(commandId);
    }

    void ended(String commandId) {
        onEnd.accept(commandId);
    }
}
