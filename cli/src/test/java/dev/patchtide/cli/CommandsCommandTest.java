package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/** {@code patchtide commands ...} against a real server, with the agents' side spoken by the test. */
class CommandsCommandTest {
    @TempDir
    Path dataDir;

    private TestServer server;
    private FakeAgent web;
    private FakeAgent db;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(InstantSource.system());
        AdminProfileFiles.write(dataDir, server);
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("agents").registrationLimit(2));
        web = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        db = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        web.report("web1", "10.0.0.1");
        db.report("db1", "10.0.0.2");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void sentCommandIsListedAndShownWithEachHostsStatusExitCodeAndOutput() throws Exception {
        InProcessCli.Run sent = cli(
                "commands",
                "send",
                "--document",
                "AWS-RunShellScript",
                "--instance",
                web.instanceId(),
                "--instance",
                db.instanceId(),
                "--parameter",
                "commands=uname -a",
                "--comment",
                "kernel check");
        assertThat(sent.exit()).as(sent.err()).isZero();
        String id = sent.out();
        assertThat(id).matches("[0-9a-f-]{36}");

        String longOutput = "x".repeat(30_000) + "\nthe end\n";
        await().atMost(Duration.ofSeconds(20)).until(() -> AgentSide.receive(web), ids -> ids.contains(id));
        AgentSide.finish(web, id, "Success", 0, longOutput, "");
        await().atMost(Duration.ofSeconds(20)).until(() -> AgentSide.receive(db), ids -> ids.contains(id));
        AgentSide.finish(db, id, "Failed", 2, "", "boom: no such file\n");

        InProcessCli.Run listed = cli("commands", "list");
        assertThat(listed.exit()).as(listed.err()).isZero();
        List<String> rows = listed.out().lines().toList();
        assertThat(rows.getFirst()).startsWith("COMMAND ID").contains("  DOCUMENT  ");
        assertThat(rows.get(1))
                .containsPattern(id + "\\s+AWS-RunShellScript\\s+Failed\\s+\\S+Z\\s+2\\s+2\\s+1\\s+kernel check");
        assertThat(cli("commands", "list", "--instance", db.instanceId()).out()).contains(id);
        assertThat(cli("commands", "list", "--status", "Success").out().lines()).hasSize(1);
        assertThat(cli("commands", "list", "--status", "Failed").out()).contains(id);

        InProcessCli.Run shown = cli("commands", "show", id);
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out())
                .contains("Document    AWS-RunShellScript")
                .contains("Status      Failed")
                .contains("Parameters  commands=uname -a")
                .contains("Counts      2 targets, 2 completed, 1 errors, 0 delivery timed out")
                .contains("=== " + web.instanceId() + " (web1): Success")
                .contains("Status Success, exit code 0.")
                .contains("(cut at 24000 characters; --output prints all of it)")
                .doesNotContain("the end")
                .contains("=== " + db.instanceId() + " (db1): Failed")
                .contains("--- Errors ---\nboom: no such file")
                .contains("Status Failed, exit code 2.");

        InProcessCli.Run full = cli("commands", "show", id, "--instance", web.instanceId(), "--output");
        assertThat(full.exit()).as(full.err()).isZero();
        assertThat(full.out()).contains(longOutput.strip()).doesNotContain("=== " + db.instanceId());
    }

    @Test
    void sendWaitFollowsTheCommandToItsEndAndExitsNonZeroWhenAHostFailed() throws Exception {
        CompletableFuture<InProcessCli.Run> waiting = CompletableFuture.supplyAsync(() -> cli(
                "commands",
                "send",
                "--document",
                "AWS-RunShellScript",
                "--target",
                "InstanceIds=" + web.instanceId(),
                "--parameter",
                "commands=false",
                "--wait"));
        String id = await().atMost(Duration.ofSeconds(20))
                .until(() -> AgentSide.receive(web), ids -> !ids.isEmpty())
                .getFirst();
        AgentSide.finish(web, id, "Failed", 1, "", "it failed\n");

        InProcessCli.Run run = waiting.get();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out())
                .startsWith(id)
                .containsPattern("Z  Failed: 1 of 1 completed, 1 errors")
                .contains("=== " + web.instanceId() + " (web1): Failed")
                .contains("it failed")
                .contains("Status Failed, exit code 1.");
    }

    @Test
    void cancelStopsACommandNoAgentPickedUpYet() {
        String id = cli(
                        "commands",
                        "send",
                        "--document",
                        "AWS-RunShellScript",
                        "--instance",
                        db.instanceId(),
                        "--parameter",
                        "commands=sleep 1")
                .out();
        InProcessCli.Run cancelled = cli("commands", "cancel", id);
        assertThat(cancelled.exit()).as(cancelled.err()).isZero();
        assertThat(cancelled.out()).startsWith("Cancelling " + id);
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> server.ssm()
                                .getCommandInvocation(b -> b.commandId(id).instanceId(db.instanceId()))
                                .status(),
                        s -> s == CommandInvocationStatus.CANCELLED);
        assertThat(cli("commands", "show", id).out())
                .contains("=== " + db.instanceId() + " (db1): Cancelled")
                .contains("Status Cancelled, exit code");
    }

    @Test
    void badInputIsRefusedNamingTheOption() {
        InProcessCli.Run neither = cli("commands", "send", "--document", "AWS-RunShellScript");
        assertThat(neither.exit()).isEqualTo(1);
        assertThat(neither.err()).isEqualTo("error: give either --instance or --target");
        InProcessCli.Run badTarget = cli("commands", "send", "--document", "AWS-RunShellScript", "--target", "tag:env");
        assertThat(badTarget.err()).isEqualTo("error: --target must be KEY=VALUES, got: tag:env");
        InProcessCli.Run unknown = cli("commands", "show", "00000000-0000-0000-0000-000000000000");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("error: ");
    }

    private InProcessCli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return InProcessCli.run(all);
    }
}
