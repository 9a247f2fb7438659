package dev.patchtide.agent.commands;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reboots the host for a step that asked for it. The runner has recorded which step that was before it calls
 * this; the agent that starts after the reboot resumes it. Tests plug in one that records the request.
 */
@FunctionalInterface
public interface RebootAction {

    /** Asks the host to reboot; returns once the request is made (the reboot itself comes later). */
    void reboot() throws IOException, InterruptedException;

    /** The host's own reboot: {@code systemctl reboot}, else {@code shutdown -r now}. */
    static RebootAction host() {
        return () -> {
            IOException last = null;
            for (List<String> command : List.of(List.of("systemctl", "reboot"), List.of("shutdown", "-r", "now"))) {
                try {
                    Process p = new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
                    if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        return;
                    }
                    last = new IOException(String.join(" ", command) + " did not succeed");
                } catch (IOException e) {
                    last = e;
                }
            }
            throw last;
        };
    }
}
