package dev.patchtide.agent.commands;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kills a step's process and everything it started. The shell runs in a session of its own (setsid), so its
 * process group catches children that were re-parented when their parent died; the descendants seen before the
 * kill catch those that left the group.
 */
final class ProcessTree {
    private ProcessTree() {}

    static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        long group = process.pid();
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + group)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no kill(1): the handles below still reach the tree as it was
        }
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
