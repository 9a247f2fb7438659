package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.PingStatus;

/** The real agent, in its own process, registered and running against a real server. */
class AgentProcessTest {

    @Test
    void agentGoesOnlineAndShowsConnectionLostOnceKilled(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(InstantSource.system(), TestServer.fastHeartbeats())) {
            CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("agents"));
            Path state = dir.resolve("agent-state");

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
                    state.toString());
            assertThat(registered).containsPattern("Registered as mi-[0-9a-f]{17}");
            Path credential = state.resolve("registration.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credential)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
                    .isEqualTo("rwx------");

            try (CliProcess agent = CliProcess.start(dir, "agent", "run", "--state-dir", state.toString())) {
                // A just-registered instance shows Online before its first report: wait for the agent's own.
                InstanceInformation online = await().atMost(Duration.ofSeconds(30))
                        .until(
                                () -> onlyInstance(server),
                                i -> i != null && i.pingStatus() == PingStatus.ONLINE && i.computerName() != null);
                assertThat(online.computerName()).isEqualTo(thisHostname());
                assertThat(online.platformTypeAsString()).isEqualTo("Linux");
                assertThat(online.platformName()).isNotBlank();
                assertThat(online.ipAddress()).isNotBlank();

                agent.kill();
                assertThat(agent.isAlive()).isFalse();
            }
            // Heartbeats every second, two may be missed: ConnectionLost within a few seconds.
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> onlyInstance(server).pingStatus(), status -> status == PingStatus.CONNECTION_LOST);
        }
    }

    @Test
    void registeringTwiceNeedsForce(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(InstantSource.system())) {
            CreateActivationResponse activation =
                    server.ssm().createActivation(b -> b.iamRole("agents").registrationLimit(2));
            String[] register = {
                "agent", "register",
                "--server", server.endpoint().toString(),
                "--activation-id", activation.activationId(),
                "--activation-code", activation.activationCode(),
                "--state-dir", dir.resolve("state").toString()
            };
            CliProcess.run(dir, register);
            try (CliProcess again = CliProcess.start(dir, register)) {
                assertThat(again.waitFor(Duration.ofSeconds(60))).isEqualTo(1);
                assertThat(again.output()).contains("registered already").contains("--force");
            }
            assertThat(server.ssm().describeInstanceInformation(b -> {}).instanceInformationList())
                    .hasSize(1);
        }
    }

    static InstanceInformation onlyInstance(TestServer server) {
        var list = server.ssm().describeInstanceInformation(b -> {}).instanceInformationList();
        return list.size() == 1 ? list.getFirst() : null;
    }

    static String thisHostname() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }
}
