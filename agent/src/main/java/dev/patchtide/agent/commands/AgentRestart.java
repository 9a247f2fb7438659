package dev.patchtide.agent.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the agent after a step replaced its package (patchtide:updateAgent), so the new version runs. The
 * runner calls it once the invocation's result is in the journal, and sent if the server took it in time; the
 * agent that starts next sends whatever is still owed. Tests plug in one that records the request.
 */
@FunctionalInterface
public interface AgentRestart {
    /** The exit code of an agent that ends so its supervisor starts the new version (EX_TEMPFAIL). */
    int EXIT_CODE = 75;

    void restart() throws IOException, InterruptedException;

    /** An agent inside another program (the server's {@code up}): it says so and goes on. */
    static AgentRestart none() {
        Logger log = LoggerFactory.getLogger(AgentRestart.class);
        return () -> log.warn("the agent's package was replaced; restart the agent to run the new version");
    }

    /**
     * The daemon's: under systemd (its unit sets {@code INVOCATION_ID}), {@code systemctl --no-block restart} of
     * the unit, which stops this agent as usual and starts the new one; elsewhere the process ends with
     * {@link #EXIT_CODE} for whatever supervises it to start it again (systemd's {@code Restart=on-failure}
     * would too).
     */
    static AgentRestart daemon(Map<String, String> env) {
        Logger log = LoggerFactory.getLogger(AgentRestart.class);
        return () -> {
            if (env.containsKey("INVOCATION_ID") && Files.isDirectory(Path.of("/run/systemd/system"))) {
                Process p = new ProcessBuilder("systemctl", "--no-block", "restart", "patchtide-agent.service")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    log.info("restarting the agent's unit to run its new version");
                    return;
                }
                log.warn("systemctl could not restart patchtide-agent.service; the agent exits instead");
            }
            log.info("the agent exits ({}) so that it starts again at its new version", EXIT_CODE);
            Runtime.getRuntime().exit(EXIT_CODE);
        };
    }
}
