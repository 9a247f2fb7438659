package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchComplianceData;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/** Patchtide.GetPatchInstallPlan: exactly the approved missing updates, with versions, as the agent installs them. */
// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class InstallPlanTest {
    TestServer server;
    SsmClient ssm;
    FakeAgent agent;
    MutableClock clock;

    @BeforeEach
    void start() throws Exception {
        clock = MutableClock.ofNow();
        server = TestServer.start(clock);
        ssm = server.ssm();
        agent = register();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private FakeAgent register() throws Exception {
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("r"));
        return FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    /** Two security updates and one other; the default Debian baseline approves security updates only. */
    private void scanWithThreeUpdates() throws Exception {
        new ScanReport()
                .installed("bash", "5.2.15-2+b2")
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "optional")
                .update("libc6", "2.36-9+deb12u4", "2.36-9+deb12u9", true, "required")
                .update("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", false, "required")
                .send(agent);
    }

    private JsonNode plan(FakeAgent as, Map<String, Object> request) throws Exception {
        Map<String, Object> q = new LinkedHashMap<>(request);
        q.putIfAbsent("InstanceId", agent.instanceId());
        return as.client().call("Patchtide.GetPatchInstallPlan", q);
    }

    private static List<String> ids(JsonNode plan) {
        List<String> ids = new ArrayList<>();
        plan.path("Patches").forEach(p -> ids.add(p.path("Id").asText()));
        return ids;
    }

    @Test
    void planIsTheMissingPatchesDescribeInstancePatchesShowsWithExactVersions() throws Exception {
        scanWithThreeUpdates();

        JsonNode plan = plan(agent, Map.of());

        List<String> missing = ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId())).patches().stream()
                .filter(p -> p.state() == PatchComplianceDataState.MISSING)
                .map(PatchComplianceData::kbId)
                .toList();
        assertThat(ids(plan))
                .containsExactly("libc6.amd64:2.36-9+deb12u9", "openssl.amd64:3.0.15-1~deb12u1")
                .containsExactlyInAnyOrderElementsOf(missing);
        assertThat(plan.path("BaselineId").asText())
                .isEqualTo(ssm.getPatchBaselineForPatchGroup(
                                b -> b.patchGroup("none").operatingSystem(OperatingSystem.DEBIAN))
                        .baselineId());
        JsonNode openssl = plan.path("Patches").get(1);
        assertThat(openssl.path("Name").asText()).isEqualTo("openssl");
        assertThat(openssl.path("Version").asText()).isEqualTo("3.0.15-1~deb12u1");
        assertThat(openssl.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(openssl.path("Severity").asText()).isEqualTo("optional");
        assertThat(openssl.path("Classification").asText()).isEqualTo("utils");
    }

    @Test
    void exclusionsByNameArchitectureOrIdAreLeftOut() throws Exception {
        scanWithThreeUpdates();

        assertThat(ids(plan(agent, Map.of("ExcludePatches", List.of("libc6")))))
                .containsExactly("openssl.amd64:3.0.15-1~deb12u1");
        assertThat(ids(plan(agent, Map.of("ExcludePatches", List.of("openssl.amd64")))))
                .containsExactly("libc6.amd64:2.36-9+deb12u9");
        assertThat(ids(plan(agent, Map.of("ExcludePatches", List.of("lib*.amd64:2.36-*", "openssl")))))
                .isEmpty();
        // A version that is not the one on offer excludes nothing.
        assertThat(ids(plan(agent, Map.of("ExcludePatches", List.of("openssl.amd64:3.0.14-1")))))
                .hasSize(2);
    }

    @Test
    void installOverrideListChoosesAmongAllAvailableUpdatesRegardlessOfApproval() throws Exception {
        scanWithThreeUpdates();

        JsonNode plan = plan(agent, Map.of("InstallOverridePatches", List.of("tzdata.amd64", "absent-package")));

        assertThat(ids(plan)).containsExactly("tzdata.amd64:2025b-0+deb12u1");
        assertThat(ids(plan(agent, Map.of("InstallOverridePatches", List.of()))))
                .isEmpty();
    }

    @Test
    void baselineOverrideForTheInstancesSystemReplacesItsBaseline() throws Exception {
        scanWithThreeUpdates();
        JsonNode overrides = ApiJson.mapper()
                .readTree(
                        """
                        [{"OperatingSystem": "AMAZON_LINUX_2023", "ApprovedPatches": ["openssl"]},
                         {"OperatingSystem": "DEBIAN", "ApprovedPatches": ["tzdata"],
                          "ApprovedPatchesEnableNonSecurity": true}]""");

        JsonNode plan = plan(agent, Map.of("BaselineOverride", overrides));

        assertThat(plan.path("BaselineId").asText()).isEqualTo("BaselineOverride");
        assertThat(ids(plan)).containsExactly("tzdata.amd64:2025b-0+deb12u1");
        assertThatThrownBy(() -> plan(
                        agent,
                        Map.of(
                                "BaselineOverride",
                                ApiJson.mapper().readTree("{\"OperatingSystem\": \"DEBIAN\", \"Rules\": []}"))))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("baselineOverride").contains("Rules");
                });
        assertThatThrownBy(() -> plan(
                        agent,
                        Map.of("BaselineOverride", ApiJson.mapper().readTree("[{\"OperatingSystem\": \"UBUNTU\"}]"))))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.getMessage()).contains("DEBIAN"));
    }

    @Test
    void aSnapshotIdKeepsTheBaselineAsTheFirstPlanWithItSawIt() throws Exception {
        String web = ssm.createPatchBaseline(b -> b.name("web")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRODUCT).values("*"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(web).patchGroup("web"));
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));
        scanWithThreeUpdates();
        String snapshot = "0b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d";
        assertThat(ids(plan(agent, Map.of("SnapshotId", snapshot)))).hasSize(3);

        ssm.updatePatchBaseline(b -> b.baselineId(web).rejectedPatches("tzdata", "libc6"));

        assertThat(ids(plan(agent, Map.of("SnapshotId", snapshot)))).hasSize(3);
        assertThat(ids(plan(agent, Map.of()))).containsExactly("openssl.amd64:3.0.15-1~deb12u1");
        assertThat(ids(plan(agent, Map.of("SnapshotId", "1b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d"))))
                .containsExactly("openssl.amd64:3.0.15-1~deb12u1");

        // As at AWS, a snapshot does not outlive three days: the same id then takes the baseline as it is.
        clock.advance(java.time.Duration.ofDays(3).plusMinutes(1));
        assertThat(ids(plan(agent, Map.of("SnapshotId", snapshot)))).containsExactly("openssl.amd64:3.0.15-1~deb12u1");
    }

    @Test
    void anInstanceKeyPlansOnlyForItsOwnInstanceAndOnlyAfterAScan() throws Exception {
        FakeAgent other = register();
        assertThatThrownBy(() -> plan(other, Map.of()))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("AccessDeniedException"));
        assertThatThrownBy(() -> plan(agent, Map.of())).isInstanceOfSatisfying(ApiCallException.class, e -> {
            assertThat(e.code()).isEqualTo("PatchScanRequired");
            assertThat(e.getMessage()).contains(agent.instanceId());
        });
        assertThatThrownBy(() -> plan(agent, Map.of("SnapshotId", "not-a-guid")))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.getMessage()).contains("snapshotId"));
        assertThatThrownBy(() -> server.adminClient()
                        .call("Patchtide.GetPatchInstallPlan", Map.of("InstanceId", "mi-00000000000000000")))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("InvalidInstanceId"));
    }
}
