package dev.patchtide.server.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.Registration;
import dev.patchtide.server.testing.AwsCli;
import dev.patchtide.server.testing.HostAptRepository;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;
import software.amazon.awssdk.services.ssm.model.PatchFilter;
import software.amazon.awssdk.services.ssm.model.PatchOperationType;
import software.amazon.awssdk.services.ssm.model.PatchRule;

/**
 * Issue 10's first proof, on this host for real: test packages built with dpkg-deb and served from a loopback
 * apt repository, v1 installed by apt; then {@code SendCommand AWS-RunPatchBaseline Operation=Install} through
 * the AWS SDK makes the real agent upgrade exactly the approved missing patch through the real apt-get, the
 * excluded one untouched and every other package of the host as it was. The reboot it asks for is the one
 * fake: the test restarts the agent as a reboot would, and the command completes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealInstallTest {
    static final String SECURITY_FIX = "patchtide-e2e-openssl";
    static final String OTHER_UPDATE = "patchtide-e2e-tools";

    @TempDir
    static Path dir;

    static HostAptRepository repository;
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static AwsCli cli;
    static SsmClient ssm;
    static PatchedHost patched;
    static Registration registration;
    static final AtomicReference<Agent> agent = new AtomicReference<>();
    static final AtomicInteger reboots = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                HostAptRepository.unavailable().isEmpty(),
                () -> "real install skipped: " + HostAptRepository.unavailable().orElseThrow());
        repository = HostAptRepository.open(dir);
        repository.deb("pt-e2e", SECURITY_FIX, "1.0-1", "patchtide-test");
        repository.deb("pt-e2e-security", SECURITY_FIX, "2.0-1", "patchtide-test");
        repository.deb("pt-e2e", OTHER_UPDATE, "1.0-1", "patchtide-test");
        repository.deb("pt-e2e", OTHER_UPDATE, "1.1-1", "patchtide-test");
        repository.publish("pt-e2e", "pt-e2e-security");
        repository.install(SECURITY_FIX + "=1.0-1", OTHER_UPDATE + "=1.0-1");

        server = TestServer.start(clock);
        ssm = server.ssm();
        Files.createDirectories(dir.resolve("cli"));
        cli = AwsCli.against(dir.resolve("cli"), server);
        // Only the test packages are approved (by name, which installed packages carry too): the host's own
        // pending updates stay out of every install.
        String baseline = ssm.createPatchBaseline(b -> b.name("patchtide-test-packages")
                        .operatingSystem("DEBIAN")
                        .approvalRules(r -> r.patchRules(PatchRule.builder()
                                .approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel("CRITICAL")
                                .patchFilterGroup(g -> g.patchFilters(PatchFilter.builder()
                                        .key("NAME")
                                        .values("patchtide-e2e-*")
                                        .build()))
                                .build())))
                .baselineId();
        patched = PatchedHost.register(server, dir.resolve("agent"), "e2e", baseline);
        registration = patched.registration();
        startAgent();
    }

    /** This host's agent, as {@code up} runs it, with the reboot replaced by a restart of the agent. */
    static void startAgent() {
        Agent started = Agent.forThisHost(
                        registration,
                        dir.resolve("agent"),
                        Duration.ofSeconds(5),
                        Duration.ZERO,
                        InstantSource.system())
                .rebootAction(() -> {
                    reboots.incrementAndGet();
                    // What a reboot does to the host: a new boot forgets what was installed pending it; the agent
                    // process ends and a new one starts on the same state folder.
                    CompletableFuture.runAsync(() -> {
                        agent.get().close();
                        try {
                            Files.deleteIfExists(
                                    Path.of("/").resolve(dev.patchtide.agent.scan.RebootCheck.INSTALLED_SINCE_BOOT));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        startAgent();
                    });
                });
        agent.set(started);
        started.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent.get() != null) {
                agent.get().close();
            }
            if (server != null) {
                server.close();
            }
        } finally {
            if (repository != null) {
                repository.close();
            }
        }
    }

    @Test
    @Order(1)
    void installUpgradesExactlyTheApprovedMissingPatchThroughApt() throws Exception {
        String scan = patched.send("Scan");
        assertThat(patched.finished(scan).status()).isEqualTo(CommandInvocationStatus.SUCCESS);
        assertThat(patched.statesByName("patchtide-e2e-"))
                .containsEntry(SECURITY_FIX, PatchComplianceDataState.MISSING)
                .containsEntry(OTHER_UPDATE, PatchComplianceDataState.MISSING);
        SortedMap<String, String> before = HostAptRepository.installedPackages();

        String install = patched.send("Install", "RebootIfNeeded", List.of(OTHER_UPDATE));
        GetCommandInvocationResponse done = patched.finished(install);

        assertThat(done.status()).as(done.standardOutputContent()).isEqualTo(CommandInvocationStatus.SUCCESS);
        assertThat(done.standardOutputContent()).contains(SECURITY_FIX);
        assertThat(reboots.get()).as("the install asked for one reboot").isEqualTo(1);
        assertThat(HostAptRepository.installedVersion(SECURITY_FIX)).contains("2.0-1");
        assertThat(HostAptRepository.installedVersion(OTHER_UPDATE))
                .as("excluded")
                .contains("1.0-1");
        SortedMap<String, String> after = HostAptRepository.installedPackages();
        String fixKey = SECURITY_FIX + ":" + repository.arch();
        assertThat(after.get(fixKey)).startsWith("2.0-1 ");
        after.remove(fixKey);
        before.remove(fixKey);
        assertThat(after).as("every other package of this host as it was").isEqualTo(before);

        assertThat(patched.statesByName("patchtide-e2e-"))
                .containsEntry(SECURITY_FIX, PatchComplianceDataState.INSTALLED)
                .containsEntry(OTHER_UPDATE, PatchComplianceDataState.MISSING);
        InstancePatchState state = ssm.describeInstancePatchStates(b -> b.instanceIds(registration.instanceId()))
                .instancePatchStates()
                .getFirst();
        assertThat(state.operation()).isEqualTo(PatchOperationType.INSTALL);
        assertThat(state.missingCount()).isEqualTo(1);
    }

    /** The README's {@code aws ssm} examples, pasted: commands to this host's agent and a maintenance window. */
    @Test
    @Order(2)
    void awsCliSendsCommandsAndRunsAMaintenanceWindow() throws Exception {
        Assumptions.assumeTrue(AwsCli.present(), "the aws CLI is not installed: AWS CLI tests skipped");
        String id = registration.instanceId();
        String shell = cli.ok(
                        "ssm",
                        "send-command",
                        "--document-name",
                        "AWS-RunShellScript",
                        "--instance-ids",
                        id,
                        "--parameters",
                        "commands=[\"echo hello from patchtide\"]",
                        "--comment",
                        "hello")
                .json()
                .path("Command")
                .path("CommandId")
                .asText();
        JsonNode hello = cliFinished(shell);
        assertThat(hello.path("Status").asText()).isEqualTo("Success");
        assertThat(hello.path("StandardOutputContent").asText()).contains("hello from patchtide");

        String scan = cli.ok(
                        "ssm",
                        "send-command",
                        "--document-name",
                        "AWS-RunPatchBaseline",
                        "--instance-ids",
                        id,
                        "--parameters",
                        "Operation=Scan")
                .json()
                .path("Command")
                .path("CommandId")
                .asText();
        assertThat(cliFinished(scan).path("Status").asText()).isEqualTo("Success");

        String install = cli.ok(
                        "ssm",
                        "send-command",
                        "--document-name",
                        "AWS-RunPatchBaseline",
                        "--instance-ids",
                        id,
                        "--parameters",
                        "Operation=Install,RebootOption=NoReboot")
                .json()
                .path("Command")
                .path("CommandId")
                .asText();
        JsonNode installed = cliFinished(install);
        assertThat(installed.path("Status").asText())
                .as(installed.path("StandardOutputContent").asText())
                .isEqualTo("Success");
        assertThat(HostAptRepository.installedVersion(OTHER_UPDATE)).contains("1.1-1");
        JsonNode details = cli.ok("ssm", "list-command-invocations", "--command-id", install, "--details")
                .json()
                .path("CommandInvocations")
                .path(0);
        assertThat(details.path("Status").asText()).isEqualTo("Success");
        assertThat(details.path("CommandPlugins").path(0).path("Status").asText())
                .isEqualTo("Success");
        assertThat(details.path("CommandPlugins").path(0).path("Output").asText())
                .contains(OTHER_UPDATE);

        String window = cli.ok(
                        "ssm",
                        "create-maintenance-window",
                        "--name",
                        "patch-on-schedule",
                        "--schedule",
                        "cron(0 3 ? * * *)",
                        "--schedule-timezone",
                        "Europe/Paris",
                        "--duration",
                        "2",
                        "--cutoff",
                        "1",
                        "--no-allow-unassociated-targets")
                .json()
                .path("WindowId")
                .asText();
        String target = cli.ok(
                        "ssm",
                        "register-target-with-maintenance-window",
                        "--window-id",
                        window,
                        "--resource-type",
                        "INSTANCE",
                        "--targets",
                        "Key=tag:Patch Group,Values=e2e")
                .json()
                .path("WindowTargetId")
                .asText();
        cli.ok(
                "ssm",
                "register-task-with-maintenance-window",
                "--window-id",
                window,
                "--task-type",
                "RUN_COMMAND",
                "--task-arn",
                "AWS-RunShellScript",
                "--targets",
                "Key=WindowTargetIds,Values=" + target,
                "--max-concurrency",
                "1",
                "--max-errors",
                "0",
                "--priority",
                "1",
                "--task-invocation-parameters",
                "{\"RunCommand\":{\"Parameters\":{\"commands\":[\"echo the window ran\"]}}}");
        String nextRun = cli.ok("ssm", "describe-maintenance-window-schedule", "--window-id", window)
                .json()
                .path("ScheduledWindowExecutions")
                .path(0)
                .path("ExecutionTime")
                .asText();
        clock.advance(
                Duration.between(clock.instant(), OffsetDateTime.parse(nextRun).toInstant())
                        .plusSeconds(1));
        server.node().windows().loop().wake();
        AtomicReference<JsonNode> executions = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    executions.set(cli.ok("ssm", "describe-maintenance-window-executions", "--window-id", window)
                            .json()
                            .path("WindowExecutions"));
                    return executions
                            .get()
                            .path(0)
                            .path("Status")
                            .asText()
                            .matches("SUCCESS|FAILED|TIMED_OUT|CANCELLED");
                });
        assertThat(executions.get().path(0).path("Status").asText()).isEqualTo("SUCCESS");
    }

    static JsonNode cliFinished(String commandId) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    last.set(cli.ok(
                                    "ssm",
                                    "get-command-invocation",
                                    "--command-id",
                                    commandId,
                                    "--instance-id",
                                    registration.instanceId())
                            .json());
                    return last.get().path("Status").asText().matches("Success|Failed|Cancelled|TimedOut");
                });
        return last.get();
    }
}
