package dev.patchtide.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.bench.ProgressWait;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, must show 3: rate control with 1,000 simulated agents long-polling a server in a child JVM
 * (PostgreSQL in this JVM, so it outlives the server). MaxConcurrency=10% never has more than 100 running,
 * MaxErrors=5 stops sending after the sixth error, and a server killed with SIGKILL mid-run and started again
 * on the same database finishes the run with no agent running any invocation twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandRateControlTest {
    private static final int HOSTS = 1_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private CommandRig rig;

    @BeforeAll
    void startFleet() throws Exception {
        rig = CommandRig.start(dir, HOSTS, 16, 10, List.of("-Xmx512m"), new PrintStream(System.out, true));
        System.out.println("rig in " + dir);
        rig.startAgents(20);
        await().atMost(Duration.ofSeconds(60)).until(() -> rig.agents().polling() == HOSTS);
    }

    @AfterAll
    void stopFleet() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void tenPercentConcurrencyHoldsAndTheRunSurvivesAServerKillWithNoInvocationRunTwice() throws Exception {
        CommandAgents agents = rig.agents();
        agents.script(CommandAgents.Script.of(Duration.ofSeconds(2), 0));
        String id = rig.commands().sendToTagKey(CommandRig.FLEET_TAG, "10%", "0", "rate control across a kill");
        CommandAgents.CommandTally tally = agents.tally(id);

        // Killed mid-run while all 100 slots are held by running agents: the server can hand nothing out then,
        // so no invocation is lost between its delivery's commit and the agent (that loss is at-most-once's
        // price, and would leave an invocation to the silent deadline, minutes away).
        ProgressWait.until(
                "invocations finished before the kill",
                tally::finished,
                () -> tally.finished() >= 200 && tally.running.get() == 100);
        int finishedAtKill = tally.finished();
        rig.kill();
        long retries = agents.retries();
        await().atMost(Duration.ofSeconds(30)).until(() -> agents.retries() > retries + 100);
        int receivedWhileDown = tally.received.get();
        rig.restart();

        // A loaded box may take a minute to start the server again: wait while agents keep finishing.
        ProgressWait.until("invocations finished after the restart", tally::finished, () -> rig.commands()
                .status(id)
                .finished());
        CommandCalls.Status status = rig.commands().status(id);
        assertThat(finishedAtKill).isLessThan(HOSTS - 100);
        assertThat(tally.received.get())
                .as("invocations received after the restart")
                .isGreaterThan(receivedWhileDown);
        assertThat(status.status()).isEqualTo("Success");
        assertThat(status.targets()).isEqualTo(HOSTS);
        assertThat(status.completed()).isEqualTo(HOSTS);
        assertThat(agents.duplicates())
                .as("invocations an agent received twice")
                .isEmpty();
        List<CommandAgents.Receipt> mine = receiptsOf(id);
        assertThat(mine.stream().map(CommandAgents.Receipt::host).collect(Collectors.toSet()))
                .hasSize(HOSTS);
        assertThat(tally.peak.get()).as("most invocations running at once").isEqualTo(100);
        await().atMost(Duration.ofSeconds(10)).until(() -> tally.succeeded.get() == HOSTS);
        Map<String, CommandCalls.Invocation> invocations = rig.commands().invocations(id);
        assertThat(invocations.values().stream()
                        .map(CommandCalls.Invocation::status)
                        .collect(Collectors.toSet()))
                .containsExactly("Success");
        assertThat(agents.oddities()).isEmpty();
    }

    @Test
    void maxErrorsFiveStopsSendingAfterTheSixthError() throws Exception {
        CommandAgents agents = rig.agents();
        agents.script(CommandAgents.Script.of(Duration.ofMillis(100), 1.0));
        String id = rig.commands().sendToTagKey(CommandRig.FLEET_TAG, "1", "5", "max errors, one at a time");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> rig.commands().status(id).finished());
        CommandCalls.Status status = rig.commands().status(id);
        assertThat(status.status()).isEqualTo("Failed");
        assertThat(status.errors()).isEqualTo(6);
        assertThat(receiptsOf(id)).hasSize(6);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> agents.tally(id).failed.get() == 6);
        Map<String, CommandCalls.Invocation> invocations = rig.commands().invocations(id);
        assertThat(invocations).hasSize(HOSTS);
        assertThat(invocations.values().stream()
                        .filter(i -> i.status().equals("Failed"))
                        .count())
                .isEqualTo(6);
        assertThat(agents.duplicates()).isEmpty();
        assertThat(agents.oddities()).isEmpty();
    }

    @Test
    void maxErrorsFiveWithTenPercentConcurrencyLetsRunningInvocationsFinish() throws Exception {
        CommandAgents agents = rig.agents();
        agents.script(CommandAgents.Script.of(Duration.ofMillis(500), 1.0));
        String id = rig.commands().sendToTagKey(CommandRig.FLEET_TAG, "10%", "5", "max errors, a hundred at a time");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> rig.commands().status(id).finished());
        CommandCalls.Status status = rig.commands().status(id);
        int received = receiptsOf(id).size();
        // Up to 100 sent at once; each of the first five errors frees a slot that may be refilled; the sixth stops
        // sending (one sent but not yet fetched by its agent may be held back then).
        assertThat(received).isBetween(6, 105);
        assertThat(status.status()).isEqualTo("Failed");
        assertThat(status.errors()).isEqualTo(received);
        // The server counts a result when it commits it; the agent's thread counts it once the answer is read.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> agents.tally(id).failed.get() == received);
        assertThat(agents.tally(id).peak.get()).isLessThanOrEqualTo(100);
        assertThat(agents.duplicates()).isEmpty();
    }

    /** Waits for the command's end; if it does not come, says where every invocation stands. */
    private void awaitEnd(String id, Duration timeout) throws Exception {
        try {
            await().atMost(timeout).until(() -> rig.commands().status(id).finished());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            CommandAgents.CommandTally t = rig.agents().tally(id);
            throw new AssertionError(
                    "command " + id + " did not end: " + rig.commands().status(id) + "; invocations by status "
                            + rig.commands().invocations(id).values().stream()
                                    .collect(Collectors.groupingBy(
                                            i -> i.status() + "/" + i.statusDetails(), Collectors.counting()))
                            + "; agents received " + t.received + ", running " + t.running + ", succeeded "
                            + t.succeeded + ", failed " + t.failed + ", oddities "
                            + rig.agents().oddities().stream().limit(5).toList() + "; server log:\n"
                            + rig.server().tail(),
                    e);
        }
    }

    private List<CommandAgents.Receipt> receiptsOf(String commandId) {
        return rig.agents().receipts().stream()
                .filter(r -> r.commandId().equals(commandId))
                .toList();
    }
}
