package dev.patchtide.server.db;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops our PostgreSQL when this JVM goes away, however it goes ({@code kill -9} included), so a crashed
 * server leaves no orphan holding the data folder. Java has no {@code prctl(PR_SET_PDEATHSIG)}; instead a
 * tiny shell watches a pipe only this JVM holds open: the kernel closes it when the JVM dies, the shell's
 * read sees end of file and it stops the postmaster (fast shutdown, SIGINT; then SIGQUIT, then SIGKILL,
 * each after {@code boundSeconds}). It signals only the postmaster it was started for, and only while that
 * one still owns the cluster's {@code postmaster.pid}. The clean path (pg_ctl stop) closes the pipe after
 * stopping, and the shell finds nothing left to do.
 */
final class Watchdog {
    private static final String SCRIPT =
            """
            trap '' INT HUP
            pid=$1 pidfile=$2 bound=$3 log=$4
            while read -r _; do :; done
            ours() {
                first=
                IFS= read -r first < "$pidfile" 2>/dev/null
                [ "$first" = "$pid" ] && kill -0 "$pid" 2>/dev/null
            }
            for signal in INT QUIT KILL; do
                ours || exit 0
                echo "patchtide watchdog: the server that started PostgreSQL is gone; sending SIG$signal to $pid" >> "$log"
                kill -"$signal" "$pid" 2>/dev/null
                i=0
                while [ "$i" -lt "$((bound * 5))" ] && kill -0 "$pid" 2>/dev/null; do
                    sleep 0.2
                    i=$((i + 1))
                done
            done
            """;

    private final Process shell;

    private Watchdog(Process shell) {
        this.shell = shell;
    }

    /** Watches the postmaster {@code pid} serving {@code cluster} (run as the same user as PostgreSQL). */
    static Watchdog start(Processes processes, Path cluster, long pid, int boundSeconds, Path log) throws IOException {
        return new Watchdog(processes.spawn(
                cluster,
                List.of(
                        "sh",
                        "-c",
                        SCRIPT,
                        "patchtide-pg-watchdog",
                        Long.toString(pid),
                        cluster.resolve("postmaster.pid").toString(),
                        Integer.toString(boundSeconds),
                        log.toString())));
    }

    /** Lets the shell go: after a clean stop it finds the postmaster gone and exits at once. */
    void release() {
        try {
            shell.getOutputStream().close();
            if (!shell.waitFor(10, TimeUnit.SECONDS)) {
                shell.destroy();
            }
        } catch (IOException e) {
            shell.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shell.destroy();
        }
    }
}
