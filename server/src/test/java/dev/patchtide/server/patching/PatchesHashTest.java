package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;

/** An agent whose scan finds the same patch list as before names it by the PatchesHash the server returned. */
class PatchesHashTest {
    TestServer server;
    SsmClient ssm;
    FakeAgent agent;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("r").registrationLimit(2));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ScanReport scan(Instant when) {
        return new ScanReport()
                .at(when)
                .installed("bash", "5.2.15-2+b7")
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important")
                .update("vim", "2:9.0.1378-2", "2:9.0.1378-3", false, "Optional");
    }

    @Test
    void theHashStandsForTheListUntilTheServerNoLongerHoldsIt() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        JsonNode first = scan(t).send(agent);
        String hash = first.path("PatchesHash").asText();
        assertThat(hash).matches("[0-9a-f]{64}");
        // The default Debian baseline approves the security update only.
        assertThat(first.path("MissingCount").asInt()).isEqualTo(1);

        // Same list, named by hash: nothing is judged again, only the times move.
        JsonNode again = scan(t.plusSeconds(600)).hashOnly().patchesByHash(hash).send(agent);
        assertThat(again.path("SnapshotId").asText())
                .isEqualTo(first.path("SnapshotId").asText());
        assertThat(again.path("PatchesHash").asText()).isEqualTo(hash);
        assertThat(state().operationEndTime()).isEqualTo(t.plusSeconds(600));

        // A hash the server does not hold for this instance: refused, nothing stored.
        String other = "0".repeat(64);
        assertThatThrownBy(() -> scan(t.plusSeconds(1200))
                        .hashOnly()
                        .patchesByHash(other)
                        .send(agent))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("PatchesRequired");
                    assertThat(e.getMessage()).contains(other);
                });
        assertThat(state().operationEndTime()).isEqualTo(t.plusSeconds(600));

        // A new day may approve differently: the stored list is judged again, with the same result here.
        Instant nextDay = t.plus(Duration.ofDays(1));
        JsonNode judgedAgain = scan(nextDay).hashOnly().patchesByHash(hash).send(agent);
        assertThat(judgedAgain.path("SnapshotId").asText())
                .isNotEqualTo(first.path("SnapshotId").asText());
        assertThat(judgedAgain.path("MissingCount").asInt()).isEqualTo(1);
        assertThat(judgedAgain.path("PatchesHash").asText()).isEqualTo(hash);
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                        .patches())
                .extracting(p -> p.title())
                .containsExactlyInAnyOrder("bash", "openssl", "vim");

        // A changed list (here with a newly installed package, so the inventory goes too) is sent whole.
        JsonNode changed = scan(nextDay.plusSeconds(60))
                .update("curl", "7.88.1-10", "7.88.1-10+deb12u8", true, "Optional")
                .send(agent);
        assertThat(changed.path("PatchesHash").asText()).isNotEqualTo(hash);
        assertThat(changed.path("MissingCount").asInt()).isEqualTo(2);
    }

    @Test
    void aReportWithNeitherPatchesNorTheirHashIsRefusedNamingTheField() {
        assertThatThrownBy(() -> agent.client()
                        .call(
                                "Patchtide.PutPatchScanReport",
                                java.util.Map.of(
                                        "InstanceId", agent.instanceId(),
                                        "OperatingSystem", "DEBIAN",
                                        "OperationStartTime", 1_700_000_000,
                                        "OperationEndTime", 1_700_000_000,
                                        "InstalledCount", 3)))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("patches");
                });
    }

    private InstancePatchState state() {
        return ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
    }
}
