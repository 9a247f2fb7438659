package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.core.patching.Inventory;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.PatchComplianceData;

/** The agent sends its inventory only when it changed; the server keeps one copy per distinct inventory. */
class InventoryHashTest {
    TestServer server;
    SsmClient ssm;
    FakeAgent first;
    FakeAgent second;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("r").registrationLimit(5));
        first = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        second = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static ScanReport image() {
        return new ScanReport()
                .installed("bash", "5.2.15-2+b7")
                .installed("coreutils", "9.1-1")
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important");
    }

    @Test
    void hashAloneIsEnoughOnceTheServerHoldsTheInventoryAndInstancesShareIt() throws Exception {
        assertThatThrownBy(() -> image().hashOnly().send(first)).isInstanceOfSatisfying(ApiCallException.class, e -> {
            assertThat(e.code()).isEqualTo("InventoryRequired");
            assertThat(e.getMessage()).contains(image().hash());
        });
        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(first.instanceId()))
                        .instancePatchStates())
                .isEmpty();

        assertThat(image().send(first).path("InventoryStored").asBoolean()).isTrue();
        JsonNode again = image().hashOnly().send(first);
        assertThat(again.path("InventoryStored").asBoolean()).isFalse();
        assertThat(again.path("MissingCount").asInt()).isEqualTo(1);
        // Another host built from the same image needs no inventory of its own.
        assertThat(image().hashOnly().send(second).path("ComplianceStatus").asText())
                .isEqualTo("NON_COMPLIANT");
        assertThat(inventoryRows()).isEqualTo(1);
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(second.instanceId()))
                        .patches())
                .extracting(PatchComplianceData::title)
                .containsExactly("bash", "coreutils", "openssl");

        // The first host changes; the old inventory stays while the second host still has it.
        ScanReport changed = image().installed("zip", "3.0-13");
        changed.send(first);
        assertThat(inventoryRows()).isEqualTo(2);
        changed.hashOnly().send(second);
        assertThat(inventoryRows()).isEqualTo(1);
        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(second.instanceId()))
                        .instancePatchStates()
                        .getFirst()
                        .installedOtherCount())
                .isEqualTo(3);
    }

    @Test
    void realAgentResendsItsInventoryWhenTheServerLostIt(@TempDir Path root, @TempDir Path state) throws Exception {
        Instant bashInstalled = debianHost(root);
        Agent agent = agent(first, root, state);

        assertThat(agent.scanAndReport().path("InventoryStored").asBoolean()).isTrue();
        assertThat(agent.scanAndReport().path("InventoryStored").asBoolean()).isFalse();
        List<PatchComplianceData> patches = ssm.describeInstancePatches(b -> b.instanceId(first.instanceId()))
                .patches();
        assertThat(patches)
                .extracting(PatchComplianceData::kbId)
                .containsExactly("bash.amd64:5.2.15-2+b7", "tzdata.all:2024a-0+deb12u1");
        assertThat(patches.getFirst().installedTime()).isEqualTo(bashInstalled);

        // The server's database is restored from before this host ever reported: the agent's hash is unknown.
        server.database().jdbi().useTransaction(h -> {
            h.execute("UPDATE instance_patch_states SET inventory_hash = NULL");
            h.execute("DELETE FROM installed_inventories");
        });
        JsonNode verdict = agent.scanAndReport();
        assertThat(verdict.path("InventoryStored").asBoolean()).isTrue();
        assertThat(inventoryRows()).isEqualTo(1);
        String stored = server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT inventory_hash FROM installed_inventories")
                .mapTo(String.class)
                .one());
        assertThat(stored)
                .isEqualTo(Inventory.hash(List.of(
                        new dev.patchtide.core.patching.InstalledPackage(
                                "bash", "amd64", "5.2.15-2+b7", java.util.Optional.of(bashInstalled)),
                        new dev.patchtide.core.patching.InstalledPackage(
                                "tzdata", "all", "2024a-0+deb12u1", java.util.Optional.empty()))));
    }

    @Test
    void restartedAgentSendsTheHashAloneAndTheInventoryOnlyWhenTheServerLostIt(@TempDir Path root, @TempDir Path state)
            throws Exception {
        debianHost(root);
        assertThat(agent(first, root, state)
                        .scanAndReport()
                        .path("InventoryStored")
                        .asBoolean())
                .isTrue();

        // The agent restarts (an upgrade, a reboot): it remembers what the server accepted.
        Agent restarted = agent(first, root, state);
        JsonNode verdict = restarted.scanAndReport();
        assertThat(verdict.path("InventoryStored").asBoolean()).isFalse();
        assertThat(verdict.path("ComplianceStatus").asText()).isEqualTo("COMPLIANT");

        // The server's database is restored from before this host ever reported: the remembered hash is unknown.
        server.database().jdbi().useTransaction(h -> {
            h.execute("UPDATE instance_patch_states SET inventory_hash = NULL");
            h.execute("DELETE FROM installed_inventories");
        });
        assertThat(agent(first, root, state)
                        .scanAndReport()
                        .path("InventoryStored")
                        .asBoolean())
                .isTrue();
        assertThat(inventoryRows()).isEqualTo(1);
        assertThat(agent(first, root, state)
                        .scanAndReport()
                        .path("InventoryStored")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void reRegisteredAgentDoesNotReuseTheOldInstancesHash(@TempDir Path root, @TempDir Path state) throws Exception {
        debianHost(root);
        assertThat(agent(first, root, state)
                        .scanAndReport()
                        .path("InventoryStored")
                        .asBoolean())
                .isTrue();

        // The host registers again (a new instance) on the same state directory.
        JsonNode verdict = agent(second, root, state).scanAndReport();

        assertThat(verdict.path("InventoryStored").asBoolean()).isTrue();
        assertThat(agent(second, root, state)
                        .scanAndReport()
                        .path("InventoryStored")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void corruptStateFileCostsOneFullInventoryNotTheAgent(@TempDir Path root, @TempDir Path state) throws Exception {
        debianHost(root);
        agent(first, root, state).scanAndReport();
        try (var files = Files.list(state)) {
            // the state files (the spool is a folder of its own, empty here: every report was taken)
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.writeString(file, "{ truncated");
            }
        }

        Agent restarted = agent(first, root, state);

        assertThat(restarted.scanAndReport().path("InventoryStored").asBoolean())
                .isTrue();
        assertThat(agent(first, root, state)
                        .scanAndReport()
                        .path("InventoryStored")
                        .asBoolean())
                .isFalse();
    }

    /** A Debian host tree with two packages; answers when bash was installed. */
    private static Instant debianHost(Path root) throws java.io.IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/apt/lists"));
        Files.writeString(root.resolve("var/lib/dpkg/arch-native"), "amd64\n");
        Files.writeString(
                root.resolve("var/lib/dpkg/status"),
                """
                Package: bash
                Status: install ok installed
                Architecture: amd64
                Version: 5.2.15-2+b7

                Package: tzdata
                Status: install ok installed
                Architecture: all
                Version: 2024a-0+deb12u1
                """);
        Files.writeString(root.resolve("var/lib/dpkg/info/bash.list"), "/bin/bash\n");
        Instant bashInstalled = Instant.parse("2026-02-01T08:00:00Z");
        Files.setLastModifiedTime(
                root.resolve("var/lib/dpkg/info/bash.list"), java.nio.file.attribute.FileTime.from(bashInstalled));
        return bashInstalled;
    }

    /** The real agent for {@code instance}, as started on the host: a new one is an agent restart. */
    private Agent agent(FakeAgent instance, Path root, Path state) {
        Registration registration = new Registration(
                server.endpoint().toString(),
                TestServer.REGION,
                instance.instanceId(),
                instance.accessKeyId(),
                instance.secretAccessKey(),
                300,
                Instant.now());
        return new Agent(
                registration,
                state,
                Duration.ofMinutes(5),
                Duration.ZERO,
                root,
                () -> HostFacts.collect(root),
                InstantSource.system());
    }

    @Test
    void anInventoryThatIsNotWhatItsHashSaysIsRefusedAndNothingIsStored() {
        java.util.Map<String, Object> body = image().body(first.instanceId());
        String wrong = "a".repeat(64);
        body.put("InventoryHash", wrong);

        assertThatThrownBy(() -> first.client().call("Patchtide.PutPatchScanReport", body))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("inventoryHash", wrong, image().hash());
                });
        assertThat(inventoryRows()).isZero();
        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(first.instanceId()))
                        .instancePatchStates())
                .isEmpty();
    }

    private int inventoryRows() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM installed_inventories")
                .mapTo(Integer.class)
                .one());
    }
}
