package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchOperationType;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * Self-service patching (seed 004): {@code patchtide agent patch scan|install} on a host, against a real
 * server and the real agent in its own process. The host's default baseline approves nothing, so the install
 * runs to its end without changing this machine's packages (the real upgrade is the end-to-end test's).
 */
class AgentPatchCommandTest {

    @Test
    void scanAndInstallRunToTheEndForThisHostAndSayWhenTheAgentIsNotRunning(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(InstantSource.system(), TestServer.fastHeartbeats())) {
            String nothing = server.ssm()
                    .createPatchBaseline(b -> b.name("approves-nothing").operatingSystem(OperatingSystem.DEBIAN))
                    .baselineId();
            server.ssm().registerDefaultPatchBaseline(b -> b.baselineId(nothing));
            CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("agents"));
            String state = dir.resolve("agent-state").toString();
            String registered = CliProcess.run(
                    dir,
                    "agent",
                    "register",
                    "--server",
                    server.endpoint().toString(),
                    "--activation-id",
                    activation.activationId(),
                    "--activation-code",
                    activation.activationCode(),
                    "--state-dir",
                    state);
            String instanceId = registered.replaceAll("(?s).*Registered as (mi-[0-9a-f]{17}).*", "$1");

            try (CliProcess scan =
                    CliProcess.start(dir, "agent", "patch", "scan", "--state-dir", state, "--pending-notice", "PT1S")) {
                // No agent runs yet: the command waits, and the owner is told why.
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> scan.outputSoFar().contains("Still Pending after 1 s"));
                assertThat(scan.outputSoFar()).contains("Is the agent running");
                try (CliProcess agent = CliProcess.start(
                        // No scans of its own: every report the test sees comes from the commands it sends.
                        dir, "agent", "run", "--state-dir", state, "--scan-interval", "PT0S")) {
                    assertThat(scan.waitFor(Duration.ofSeconds(180)))
                            .as(scan::outputSoFar)
                            .isZero();
                    assertThat(scan.output())
                            .contains("Sending AWS-RunPatchBaseline Operation=Scan for " + instanceId + " (this host)")
                            .containsPattern("Z  InProgress")
                            .containsPattern("Z  Success")
                            .contains("Status Success, exit code 0.");
                    assertThat(patchState(server, instanceId).operation()).isEqualTo(PatchOperationType.SCAN);

                    try (CliProcess install = CliProcess.start(
                            dir,
                            "agent",
                            "patch",
                            "install",
                            "--exclude",
                            "patchtide-test-not-a-package",
                            "--no-reboot",
                            "--state-dir",
                            state)) {
                        assertThat(install.waitFor(Duration.ofSeconds(180)))
                                .as(install::outputSoFar)
                                .isZero();
                        assertThat(install.output())
                                .contains("Operation=Install ExcludePatches=patchtide-test-not-a-package"
                                        + " RebootOption=NoReboot")
                                .contains("Status Success, exit code 0.");
                    }
                    agent.stop();
                }
            }
            List<Command> commands = server.ssm().listCommands(b -> {}).commands();
            assertThat(commands).hasSize(2);
            Command install = commands.stream()
                    .filter(c -> c.parameters().get("Operation").equals(List.of("Install")))
                    .findFirst()
                    .orElseThrow();
            assertThat(install.instanceIds()).containsExactly(instanceId);
            assertThat(install.parameters())
                    .containsAllEntriesOf(Map.of(
                            "ExcludePatches", List.of("patchtide-test-not-a-package"),
                            "RebootOption", List.of("NoReboot")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> patchState(server, instanceId).operation() == PatchOperationType.INSTALL);
        }
    }

    @Test
    void anInstanceKeyIsRefusedForAnyOtherInstanceAndNothingIsSent(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(InstantSource.system())) {
            CreateActivationResponse activation =
                    server.ssm().createActivation(b -> b.iamRole("agents").registrationLimit(2));
            FakeAgent mine =
                    FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
            FakeAgent other =
                    FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
            // This host's key, with another instance's id: what a tampered registration would send.
            Path state = dir.resolve("state");
            new RegistrationFile(state)
                    .write(new Registration(
                            server.endpoint().toString(),
                            TestServer.REGION,
                            other.instanceId(),
                            mine.accessKeyId(),
                            mine.secretAccessKey(),
                            300,
                            Instant.now()));

            InProcessCli.Run run = InProcessCli.run("agent", "patch", "install", "--state-dir", state.toString());

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err())
                    .startsWith("error: the server refused this host's key (" + mine.accessKeyId() + ") for instance "
                            + other.instanceId() + ": an instance key may send commands to its own instance only")
                    .contains("Nothing was sent.")
                    .contains("AccessDeniedException");
            assertThat(server.ssm().listCommands(b -> {}).commands()).isEmpty();

            // The same through the AWS SDK with the instance's key: refused for the other, also among its own.
            try (var asInstance = server.ssm(mine.accessKeyId(), mine.secretAccessKey())) {
                assertThatThrownBy(() -> asInstance.sendCommand(b -> b.documentName("AWS-RunPatchBaseline")
                                .instanceIds(mine.instanceId(), other.instanceId())
                                .parameters(Map.of("Operation", List.of("Scan")))))
                        .isInstanceOfSatisfying(
                                SsmException.class,
                                e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"));
            }
            assertThat(server.ssm().listCommands(b -> {}).commands()).isEmpty();
        }
    }

    private static InstancePatchState patchState(TestServer server, String instanceId) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> server.ssm()
                                .describeInstancePatchStates(b -> b.instanceIds(instanceId))
                                .instancePatchStates(),
                        states -> !states.isEmpty())
                .getFirst();
    }
}
