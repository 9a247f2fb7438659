package dev.patchtide.agent.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd the agent (or the server) is up and alive (sd_notify READY=1, WATCHDOG=1). Java's DatagramChannel cannot
 * send to a unix-domain socket (only stream channels take a UnixDomainSocketAddress, and the foreign
 * function API is not final at language level 21), so the message goes through systemd's own
 * {@code systemd-notify}, which the unit lets speak for the service with {@code NotifyAccess=all}; it waits
 * until systemd has read the message, so a short-lived sender is still attributed to the unit.
 */
public final class SystemdNotifier {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

    private final String command;
    private final Duration watchdogInterval;
    private volatile Thread watchdog;

    private SystemdNotifier(String command, Duration watchdogInterval) {
        this.command = command;
        this.watchdogInterval = watchdogInterval;
    }

    /** Present when systemd started us with a notify socket (Type=notify); the watchdog interval may be zero. */
    public static Optional<SystemdNotifier> fromEnvironment(Map<String, String> env) {
        String socket = env.getOrDefault("NOTIFY_SOCKET", "");
        if (socket.isBlank()) {
            return Optional.empty();
        }
        long watchdogMicros = parseMicros(env.getOrDefault("WATCHDOG_USEC", ""));
        return Optional.of(new SystemdNotifier(
                env.getOrDefault("PATCHTIDE_SYSTEMD_NOTIFY", "systemd-notify"),
                Duration.ofNanos(watchdogMicros * 1000)));
    }

    private static long parseMicros(String value) {
        try {
            return value.isBlank() ? 0 : Math.max(0, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** READY=1, then WATCHDOG=1 at half the watchdog interval from a daemon thread while the JVM lives. */
    public void readyAndKeepAlive() {
        send("READY=1");
        if (watchdogInterval.isZero()) {
            return;
        }
        Duration every = watchdogInterval.dividedBy(2);
        watchdog = Thread.ofPlatform().daemon().name("patchtide-watchdog").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                send("WATCHDOG=1");
            }
        });
    }

    /** STOPPING=1, and no more watchdog pings. */
    public void stopping() {
        Thread pinger = watchdog;
        if (pinger != null) {
            pinger.interrupt();
            try {
                pinger.join(Duration.ofSeconds(15)); // a ping on its way must not land after STOPPING
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        send("STOPPING=1");
    }

    private void send(String message) {
        try {
            Process process = new ProcessBuilder(command, message)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                log.warn("systemd-notify {} did not finish in 10 s", message);
            } else if (process.exitValue() != 0) {
                log.warn("systemd-notify {} failed with exit code {}", message, process.exitValue());
            }
        } catch (IOException e) {
            log.warn("cannot tell systemd {}: {}", message, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
