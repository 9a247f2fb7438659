package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.enrolment.AgentPackageShelf;
import dev.patchtide.server.fleet.ShippedAgents.ShippedPackage;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;

/** The agent version the server ships: what its package shelf holds, else its own. */
class ShippedAgentsTest {
    @TempDir
    Path dir;

    @Test
    void theLatestIsTheHighestPackageOnTheShelfByDpkgOrderAndEachFileIsDescribedWithItsDigest() throws Exception {
        Files.writeString(dir.resolve("patchtide-agent_1.9.0_amd64.deb"), "deb 1.9");
        Files.writeString(dir.resolve("patchtide-agent_1.10.0_amd64.deb"), "deb 1.10");
        Files.writeString(dir.resolve("patchtide-agent-1.10.0-1.x86_64.rpm"), "rpm 1.10");
        Files.writeString(dir.resolve("patchtide-agent_1.11.0_arm64.deb"), "arm");
        Files.writeString(dir.resolve("patchtide-agent_2.0.0_amd64.deb.part"), "not a package");
        Files.writeString(dir.resolve("notes.txt"), "nor this");
        ShippedAgents shipped = new ShippedAgents(java.util.Optional.of(dir), "0.1.0");

        assertThat(shipped.latestVersion()).isEqualTo("1.11.0");
        assertThat(shipped.packages())
                .containsExactly(
                        new ShippedPackage(
                                "patchtide-agent_1.10.0_amd64.deb", "1.10.0", "deb", "amd64", 8, sha("deb 1.10")),
                        new ShippedPackage(
                                "patchtide-agent_1.9.0_amd64.deb", "1.9.0", "deb", "amd64", 7, sha("deb 1.9")),
                        new ShippedPackage("patchtide-agent_1.11.0_arm64.deb", "1.11.0", "deb", "arm64", 3, sha("arm")),
                        new ShippedPackage(
                                "patchtide-agent-1.10.0-1.x86_64.rpm", "1.10.0", "rpm", "x86_64", 8, sha("rpm 1.10")));

        // A package taken off the shelf is no longer shipped; a replaced file gets its new digest.
        Files.delete(dir.resolve("patchtide-agent_1.11.0_arm64.deb"));
        Files.writeString(dir.resolve("patchtide-agent_1.9.0_amd64.deb"), "deb 1.9, rebuilt");
        Files.setLastModifiedTime(dir, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(shipped.latestVersion()).isEqualTo("1.10.0");
        assertThat(shipped.packages())
                .filteredOn(p -> p.version().equals("1.9.0"))
                .singleElement()
                .satisfies(p -> assertThat(p.sha256()).isEqualTo(sha("deb 1.9, rebuilt")));
    }

    @Test
    void anEmptyOrMissingShelfShipsTheServersOwnVersion() throws Exception {
        assertThat(new ShippedAgents(java.util.Optional.of(dir), "3.2.1").latestVersion())
                .isEqualTo("3.2.1");
        assertThat(new ShippedAgents(java.util.Optional.of(dir.resolve("missing")), "3.2.1").packages())
                .isEmpty();
        assertThat(ShippedAgents.none().packages()).isEmpty();
    }

    @Test
    void isLatestVersionAndDescribeAgentPackagesAnswerFromTheShelf() throws Exception {
        Files.writeString(dir.resolve("patchtide-agent_7.1.0_amd64.deb"), "newest");
        try (TestServer server = TestServer.start(InstantSource.system(), c -> c, new AgentPackageShelf(dir))) {
            CreateActivationResponse activation =
                    server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(3));
            FakeAgent older =
                    FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
            older.reportAsVersion("7.0.9");
            FakeAgent newest =
                    FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
            newest.reportAsVersion("7.1.0");

            List<InstanceInformation> listed =
                    server.ssm().describeInstanceInformation(b -> {}).instanceInformationList();
            assertThat(listed)
                    .filteredOn(i -> i.instanceId().equals(older.instanceId()))
                    .singleElement()
                    .satisfies(i -> assertThat(i.isLatestVersion()).isFalse());
            assertThat(listed)
                    .filteredOn(i -> i.instanceId().equals(newest.instanceId()))
                    .singleElement()
                    .satisfies(i -> assertThat(i.isLatestVersion()).isTrue());

            // An agent asks for itself, and learns what to check its download against.
            JsonNode answer =
                    older.client().call(AgentPackageMessages.DESCRIBE, Map.of("InstanceId", older.instanceId()));
            assertThat(answer.path("LatestVersion").asText()).isEqualTo("7.1.0");
            assertThat(answer.path("Packages")).singleElement().satisfies(p -> {
                assertThat(p.path("FileName").asText()).isEqualTo("patchtide-agent_7.1.0_amd64.deb");
                assertThat(p.path("Format").asText()).isEqualTo("deb");
                assertThat(p.path("Architecture").asText()).isEqualTo("amd64");
                assertThat(p.path("Size").asLong()).isEqualTo(6);
                assertThat(p.path("Sha256").asText()).isEqualTo(sha("newest"));
            });
            // ... but not for another instance.
            assertThatThrownBy(() -> older.client()
                            .call(AgentPackageMessages.DESCRIBE, Map.of("InstanceId", newest.instanceId())))
                    .isInstanceOfSatisfying(ApiCallException.class, e -> assertThat(e.getMessage())
                            .contains("AccessDenied"));
        }
    }

    private static String sha(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes()));
    }
}
