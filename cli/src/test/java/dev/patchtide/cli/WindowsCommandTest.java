package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowExecution;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowExecutionStatus;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowTaskType;
import software.amazon.awssdk.services.ssm.model.ScheduledWindowExecution;
import software.amazon.awssdk.services.ssm.model.Tag;
import software.amazon.awssdk.services.ssm.model.Target;

/** {@code patchtide windows ...} against a real server whose clock the test moves to make the window fire. */
class WindowsCommandTest {
    // Friday 27 March 2026, noon UTC: Paris is at UTC+1 until Sunday's spring-forward.
    private static final Instant START = Instant.parse("2026-03-27T12:00:00Z");

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(START);
    private TestServer server;
    private SsmClient ssm;
    private FakeAgent web;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock);
        ssm = server.ssm();
        AdminProfileFiles.write(dataDir, server);
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("agents"));
        web = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        web.report("web1", "10.0.0.1");
        ssm.addTagsToResource(b -> b.resourceType("ManagedInstance")
                .resourceId(web.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void listShowAndExecutionsMatchTheApi() throws Exception {
        String id = ssm.createMaintenanceWindow(b -> b.name("nightly-scan")
                        .schedule("cron(0 4 ? * * *)")
                        .scheduleTimezone("Europe/Paris")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false))
                .windowId();
        String targetId = ssm.registerTargetWithMaintenanceWindow(b -> b.windowId(id)
                        .resourceType("INSTANCE")
                        .name("web-servers")
                        .targets(Target.builder()
                                .key("tag:Patch Group")
                                .values("web")
                                .build()))
                .windowTargetId();
        ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                .taskArn("AWS-RunPatchBaseline")
                .targets(
                        Target.builder().key("WindowTargetIds").values(targetId).build())
                .maxConcurrency("10%")
                .maxErrors("1")
                .priority(1)
                .taskInvocationParameters(
                        p -> p.runCommand(rc -> rc.parameters(Map.of("Operation", List.of("Scan"))))));

        InProcessCli.Run listed = cli("windows", "list");
        assertThat(listed.exit()).as(listed.err()).isZero();
        String next = ssm.describeMaintenanceWindows(b -> {})
                .windowIdentities()
                .getFirst()
                .nextExecutionTime();
        assertThat(listed.out().lines().toList().get(1))
                .containsPattern(id
                        + "\\s+nightly-scan\\s+yes\\s+cron\\(0 4 \\? \\* \\* \\*\\)\\s+Europe/Paris\\s+2h\\s+1h\\s+"
                        + java.util.regex.Pattern.quote(next));

        InProcessCli.Run shown = cli("windows", "show", id, "--next", "3");
        assertThat(shown.exit()).as(shown.err()).isZero();
        List<String> runs = ssm
                .describeMaintenanceWindowSchedule(b -> b.windowId(id).maxResults(3))
                .scheduledWindowExecutions()
                .stream()
                .map(ScheduledWindowExecution::executionTime)
                .toList();
        assertThat(runs).hasSize(3);
        assertThat(shown.out())
                .contains("Window       " + id + " (nightly-scan)")
                .contains("Schedule     cron(0 4 ? * * *) in Europe/Paris")
                .contains("Duration     2 h, cutoff 1 h")
                .containsPattern(targetId + "\\s+web-servers\\s+INSTANCE\\s+tag:Patch Group=web")
                .containsPattern("AWS-RunPatchBaseline\\s+WindowTargetIds=" + targetId + "\\s+10%\\s+1")
                .contains("Next runs\nEXECUTION TIME\n" + String.join("\n", runs) + "\n");

        // 04:00 in Paris on Saturday the 28th is 03:00 UTC: the window fires and its task sends the scan.
        clock.advance(Duration.between(clock.instant(), Instant.parse("2026-03-28T03:00:01Z")));
        String commandId = await().atMost(Duration.ofSeconds(30))
                .until(() -> AgentSide.receive(web), ids -> !ids.isEmpty())
                .getFirst();
        AgentSide.finish(web, commandId, "Success", 0, "scanned\n", "");
        MaintenanceWindowExecution done = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> ssm.describeMaintenanceWindowExecutions(b -> b.windowId(id))
                                .windowExecutions(),
                        all -> all.size() == 1 && all.getFirst().status() == MaintenanceWindowExecutionStatus.SUCCESS)
                .getFirst();

        InProcessCli.Run executions = cli("windows", "executions", id);
        assertThat(executions.exit()).as(executions.err()).isZero();
        assertThat(executions.out().lines().toList())
                .hasSize(2)
                .last()
                .asString()
                .containsPattern(done.windowExecutionId() + "\\s+SUCCESS\\s+" + done.startTime() + "\\s+"
                        + done.endTime() + "\\s+AWS-RunPatchBaseline SUCCESS");
        assertThat(cli("windows", "show", id).out())
                .contains("Recent executions")
                .contains(done.windowExecutionId());
    }

    @Test
    void anUnknownWindowIsTheApisError() {
        InProcessCli.Run run = cli("windows", "show", "mw-0123456789abcdef0");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: DoesNotExistException: ");
    }

    private InProcessCli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return InProcessCli.run(all);
    }
}
