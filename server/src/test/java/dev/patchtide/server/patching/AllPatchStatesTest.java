package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.DescribeInstancePatchesResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.InstancePatchStateOperatorType;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchAction;
import software.amazon.awssdk.services.ssm.model.PatchComplianceData;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;
import software.amazon.awssdk.services.ssm.model.PatchComplianceLevel;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/** One host whose scan shows all seven patch states, read back through the AWS SDK and the compliance report. */
// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class AllPatchStatesTest {
    static final Instant BASH_INSTALLED = Instant.parse("2026-01-05T10:00:00Z");

    TestServer server;
    SsmClient ssm;
    FakeAgent agent;
    ApiClient admin;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("r"));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        admin = new ApiClient(
                server.endpoint(),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())),
                InstantSource.system());
        String baseline = ssm.createPatchBaseline(b -> b.name("scenario")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvedPatches("bash", "vim-not-here", "zz-*")
                        .approvedPatchesEnableNonSecurity(true)
                        .rejectedPatches("telnet")
                        .rejectedPatchesAction(PatchAction.BLOCK)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel(PatchComplianceLevel.CRITICAL)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRIORITY).values("Required", "Important"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(baseline).patchGroup("scenario"));
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tags(Tag.builder().key("Patch Group").value("scenario").build()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static ScanReport scenario() {
        ScanReport scan = new ScanReport()
                .installed("bash", "5.2.15-2+b7", BASH_INSTALLED) // approved by name: INSTALLED
                .installed("coreutils", "9.1-1") // nothing approves it: INSTALLED_OTHER
                .update("curl", "7.88.1-10", "7.88.1-10+deb12u8", false, "Important") // approved, install failed
                .failed("curl")
                .installed("linux-image-6.1.0-30-amd64", "6.1.124-1") // reboot pending
                .pendingReboot("linux-image-6.1.0-30-amd64")
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important") // MISSING
                .installed("telnet", "0.17+2.4-2") // on RejectedPatches: INSTALLED_REJECTED
                .update("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", false, "Optional"); // not approved
        for (int i = 0; i < 10; i++) {
            scan.installed("lib" + i, "1.0-" + i);
        }
        return scan;
    }

    @Test
    void everyStateIsJudgedCountedAndListed() throws Exception {
        JsonNode answer = scenario().send(agent);
        assertThat(answer.path("ComplianceStatus").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(answer.path("InventoryStored").asBoolean()).isTrue();

        InstancePatchState state = ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
        assertThat(state.patchGroup()).isEqualTo("scenario");
        assertThat(state.installedCount()).isEqualTo(1);
        assertThat(state.installedOtherCount()).isEqualTo(12); // coreutils, tzdata, lib0..lib9
        assertThat(state.installedPendingRebootCount()).isEqualTo(1);
        assertThat(state.installedRejectedCount()).isEqualTo(1);
        assertThat(state.missingCount()).isEqualTo(1);
        assertThat(state.failedCount()).isEqualTo(1);
        assertThat(state.notApplicableCount()).isEqualTo(1);
        assertThat(state.unreportedNotApplicableCount()).isEqualTo(1); // the zz-* pattern
        assertThat(state.criticalNonCompliantCount()).isEqualTo(2); // openssl, curl
        assertThat(state.securityNonCompliantCount()).isEqualTo(1); // openssl
        assertThat(state.otherNonCompliantCount()).isEqualTo(2); // kernel, telnet

        List<PatchComplianceData> all = new ArrayList<>();
        DescribeInstancePatchesResponse page = ssm.describeInstancePatches(
                b -> b.instanceId(agent.instanceId()).maxResults(10));
        all.addAll(page.patches());
        assertThat(page.patches()).hasSize(10);
        assertThat(page.nextToken()).isNotNull();
        String token = page.nextToken();
        page = ssm.describeInstancePatches(
                b -> b.instanceId(agent.instanceId()).maxResults(10).nextToken(token));
        all.addAll(page.patches());
        assertThat(page.nextToken()).isNull();
        assertThat(all).hasSize(18);
        Map<String, PatchComplianceDataState> byTitle =
                all.stream().collect(Collectors.toMap(PatchComplianceData::title, PatchComplianceData::state));
        assertThat(byTitle)
                .containsEntry("bash", PatchComplianceDataState.INSTALLED)
                .containsEntry("coreutils", PatchComplianceDataState.INSTALLED_OTHER)
                .containsEntry("curl", PatchComplianceDataState.FAILED)
                .containsEntry("linux-image-6.1.0-30-amd64", PatchComplianceDataState.INSTALLED_PENDING_REBOOT)
                .containsEntry("openssl", PatchComplianceDataState.MISSING)
                .containsEntry("telnet", PatchComplianceDataState.INSTALLED_REJECTED)
                .containsEntry("tzdata", PatchComplianceDataState.INSTALLED_OTHER)
                .containsEntry("vim-not-here", PatchComplianceDataState.NOT_APPLICABLE)
                .containsEntry("lib7", PatchComplianceDataState.INSTALLED_OTHER);
        PatchComplianceData bash =
                all.stream().filter(p -> p.title().equals("bash")).findFirst().orElseThrow();
        assertThat(bash.kbId()).isEqualTo("bash.amd64:5.2.15-2+b7");
        assertThat(bash.installedTime()).isEqualTo(BASH_INSTALLED);
        PatchComplianceData openssl = all.stream()
                .filter(p -> p.title().equals("openssl"))
                .findFirst()
                .orElseThrow();
        assertThat(openssl.kbId()).isEqualTo("openssl.amd64:3.0.15-1~deb12u1");
        assertThat(openssl.cveIds()).isEqualTo("CVE-2026-0001");

        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId())
                                .filters(f -> f.key("State").values("InstalledPendingReboot", "InstalledRejected")))
                        .patches())
                .extracting(PatchComplianceData::title)
                .containsExactly("linux-image-6.1.0-30-amd64", "telnet");
        assertThat(ssm.describeInstancePatchStatesForPatchGroup(b -> b.patchGroup("scenario")
                                .filters(f ->
                                        f.key("FailedCount").values("1").type(InstancePatchStateOperatorType.EQUAL)))
                        .instancePatchStates())
                .hasSize(1);
        assertThat(ssm.describeInstancePatchStatesForPatchGroup(
                                b -> b.patchGroup("scenario").filters(f -> f.key("InstalledCount")
                                        .values("1")
                                        .type(InstancePatchStateOperatorType.GREATER_THAN)))
                        .instancePatchStates())
                .isEmpty();
    }

    @Test
    void complianceReportCountsInstalledAsCompliantAndListsEveryNonCompliantState() throws Exception {
        scenario().send(agent);

        JsonNode r = admin.call("Patchtide.GetComplianceReport", Map.of("ResourceId", agent.instanceId()));

        assertThat(r.path("Status").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(r.path("OverallSeverity").asText()).isEqualTo("CRITICAL");
        assertThat(r.path("CompliantSummary").path("CompliantCount").asInt()).isEqualTo(14); // 1 + 12 + 1
        assertThat(r.path("NonCompliantSummary").path("NonCompliantCount").asInt())
                .isEqualTo(4);
        assertThat(r.path("NonCompliantSummary")
                        .path("SeveritySummary")
                        .path("CriticalCount")
                        .asInt())
                .isEqualTo(2);
        List<String> states = new ArrayList<>();
        r.path("MissingPatches")
                .forEach(p -> states.add(p.path("Title").asText() + "="
                        + p.path("Details").path("PatchState").asText()));
        assertThat(states)
                .containsExactly(
                        "curl=Failed",
                        "linux-image-6.1.0-30-amd64=InstalledPendingReboot",
                        "openssl=Missing",
                        "telnet=InstalledRejected");
    }

    @Test
    void patchComplianceItemsAndSummaryAgreeWithTheStates() throws Exception {
        scenario().send(agent);

        var items = ssm
                .listComplianceItemsPaginator(b -> b.resourceIds(agent.instanceId())
                        .resourceTypes("ManagedInstance")
                        .filters(f -> f.key("ComplianceType").values("Patch"))
                        .maxResults(10))
                .complianceItems()
                .stream()
                .toList();
        Map<String, String> statusByTitle = new java.util.TreeMap<>();
        items.forEach(i -> statusByTitle.put(
                i.title(), i.statusAsString() + "/" + i.details().get("PatchState")));
        assertThat(items).hasSize(18);
        assertThat(statusByTitle)
                .containsEntry("bash", "COMPLIANT/Installed")
                .containsEntry("coreutils", "COMPLIANT/InstalledOther")
                .containsEntry("openssl", "NON_COMPLIANT/Missing")
                .containsEntry("curl", "NON_COMPLIANT/Failed")
                .containsEntry("telnet", "NON_COMPLIANT/InstalledRejected")
                .containsEntry("linux-image-6.1.0-30-amd64", "NON_COMPLIANT/InstalledPendingReboot");
        assertThat(items.stream()
                        .filter(i -> i.title().equals("openssl"))
                        .findFirst()
                        .orElseThrow()
                        .severityAsString())
                .isEqualTo("CRITICAL");

        var summary = ssm.listResourceComplianceSummaries(
                        b -> b.filters(f -> f.key("ComplianceType").values("Patch")))
                .resourceComplianceSummaryItems()
                .getFirst();
        assertThat(summary.statusAsString()).isEqualTo("NON_COMPLIANT");
        assertThat(summary.nonCompliantSummary().nonCompliantCount()).isEqualTo(4);
        assertThat(summary.compliantSummary().compliantCount()).isEqualTo(14);
    }

    @Test
    void fixingEverythingMakesTheHostCompliant() throws Exception {
        scenario().send(agent);
        ScanReport fixed = new ScanReport()
                .installed("bash", "5.2.15-2+b7")
                .installed("curl", "7.88.1-10+deb12u8")
                .installed("openssl", "3.0.15-1~deb12u1")
                .installed("vim-not-here", "2:9.0.1378-2");

        JsonNode answer = fixed.send(agent);

        assertThat(answer.path("ComplianceStatus").asText()).isEqualTo("COMPLIANT");
        InstancePatchState state = ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
        assertThat(state.installedCount()).isEqualTo(2); // bash, vim-not-here by name
        assertThat(state.installedOtherCount()).isEqualTo(2);
        assertThat(state.notApplicableCount()).isZero();
        assertThat(state.missingCount() + state.failedCount() + state.installedRejectedCount())
                .isZero();
    }

    @Test
    void malformedInventoryIsRefusedNamingTheFieldAndNothingChanges() throws Exception {
        scenario().send(agent);
        Map<String, Object> bad = new ScanReport().installed("zip", "3.0-13").body(agent.instanceId());
        bad.put(
                "Inventory",
                List.of(
                        Map.of("Name", "zip", "Arch", "amd64", "Version", "3.0-13"),
                        Map.of("Name", "x", "Arch", "amd64")));
        assertThatThrownBy(() -> agent.client().call("Patchtide.PutPatchScanReport", bad))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("inventory.2.member.version");
                });
        Map<String, Object> wrongHash =
                new ScanReport().installed("zip", "3.0-13").body(agent.instanceId());
        wrongHash.put("InventoryHash", "0".repeat(64));
        assertThatThrownBy(() -> agent.client().call("Patchtide.PutPatchScanReport", wrongHash))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("inventoryHash");
                });

        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                        .instancePatchStates()
                        .getFirst()
                        .missingCount())
                .isEqualTo(1);
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                        .patches())
                .extracting(PatchComplianceData::title)
                .contains("openssl", "telnet")
                .doesNotContain("zip");
    }
}
