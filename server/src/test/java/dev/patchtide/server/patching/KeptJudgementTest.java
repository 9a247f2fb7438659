package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.PatchAction;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * A changed report judged with the instance's kept installed judgement must leave exactly what judging it from
 * scratch leaves: the same report sent as a new instance's first (whole inventory, nothing kept) is the
 * reference. Compared: every count of the patch state, the stored per-patch rows, the compliance items and
 * DescribeInstancePatches; and which path each report took.
 */
// The SDK's builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class KeptJudgementTest {
    TestServer server;
    SsmClient ssm;
    CreateActivationResponse activation;
    String baseline;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        activation = ssm.createActivation(b -> b.iamRole("r").registrationLimit(20));
        // AllPatchStatesTest's baseline: every state occurs (approved list, rejected list, failed, reboot pending).
        baseline = ssm.createPatchBaseline(b -> b.name("scenario")
                        .operatingSystem(software.amazon.awssdk.services.ssm.model.OperatingSystem.DEBIAN)
                        .approvedPatches("bash", "vim-not-here", "zz-*")
                        .approvedPatchesEnableNonSecurity(true)
                        .rejectedPatches("telnet")
                        .rejectedPatchesAction(PatchAction.BLOCK)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel(
                                        software.amazon.awssdk.services.ssm.model.PatchComplianceLevel.CRITICAL)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(software.amazon.awssdk.services.ssm.model.PatchFilterKey.PRIORITY)
                                                .values("Required", "Important"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(baseline).patchGroup("scenario"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aChangedReportJudgedWithTheKeptPartLeavesWhatJudgingFromScratchLeaves() throws Exception {
        FakeAgent host = agent();
        AllPatchStatesTest.scenario().send(host);

        // A new advisory: updates for two installed packages that had none; the inventory is the same (by hash).
        ScanReport second = AllPatchStatesTest.scenario();
        second.updateOf("coreutils", "9.1-1", "9.1-1+deb12u1", true, "Important");
        second.updateOf("lib3", "1.0-3", "1.0-4", false, "Optional");
        long linesUsed = KeptLines.USED.sum();
        assertSameAsFromScratch(host, second, true);
        // Its updates named packages the first report's did not: their inventory lines were read.
        assertThat(KeptLines.USED.sum()).isEqualTo(linesUsed);

        // A newer candidate for one of them: the same names as judged last, so their kept lines serve and no
        // inventory is read at all; the outcome is still that of judging from scratch.
        second.patches.getLast().put("AvailableVersion", "1.0-5");
        assertSameAsFromScratch(host, second, true);
        assertThat(KeptLines.USED.sum()).isEqualTo(linesUsed + 1);
        // And an update gone (the names a subset of those kept).
        second.patches.removeLast();
        assertSameAsFromScratch(host, second, true);
        assertThat(KeptLines.USED.sum()).isEqualTo(linesUsed + 2);

        // Reboot facts changed: the kept part no longer fits and the report is judged whole.
        ScanReport third = AllPatchStatesTest.scenario();
        third.updateOf("coreutils", "9.1-1", "9.1-1+deb12u1", true, "Important");
        third.pendingReboot("lib5");
        assertSameAsFromScratch(host, third, false);

        // The same facts again, one more update: the part kept by the third report fits.
        third.updateOf("lib6", "1.0-6", "1.0-7", true, "Required");
        assertSameAsFromScratch(host, third, true);

        // A package more in the inventory (its hash changes; the server holds it, sent by another host with the
        // same packages): the kept part is of another inventory, so the report is judged whole, and kept anew.
        third.installed("lib10", "1.0-10");
        third.sendInventory = true;
        third.send(agent());
        assertSameAsFromScratch(host, third, false);
        third.updateOf("lib10", "1.0-10", "1.0-11", true, "Required");
        assertSameAsFromScratch(host, third, true);

        // The baseline changes what installed packages are (coreutils approved by name, lib2 rejected). Whether
        // re-evaluation or the report gets there first, the outcome is that of the new baseline.
        ssm.updatePatchBaseline(b -> b.baselineId(baseline)
                .approvedPatches("bash", "coreutils", "vim-not-here", "zz-*", "nowhere")
                .rejectedPatches("telnet", "lib2"));
        third.updateOf("lib7", "1.0-7", "1.0-8", true, "Important");
        assertSameAsFromScratch(host, third, null);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !needsEvaluation(host.instanceId()));

        // Whichever judged it last kept the new baseline's part: the next changed report uses it.
        third.updateOf("lib8", "1.0-8", "1.0-9", false, "Required");
        assertSameAsFromScratch(host, third, true);
    }

    @Test
    void namesTheKeptLinesDoNotCoverAreReadFromTheInventorysPiecesOnly() throws Exception {
        FakeAgent host = agent();
        ScanReport report = new ScanReport();
        InventoryPiecesTest.inventory().forEach(report.inventory::add);
        report.updateOf("pkg-00010", "1.10", "1.11", true, "Required");
        report.updateOf("pkg-01000", "1.1000", "1.1001", false, "Optional");
        report.send(host);

        // A server whose inventory cache is empty (a restart, or an inventory evicted): the kept lines serve
        // the names judged last; the others come from the stored inventory, a piece each.
        InventoryStore restarted = new InventoryStore();
        Set<String> names = new TreeSet<>(List.of("pkg-00010", "pkg-01000", "pkg-00070", "pkg-02390", "not-installed"));
        long slices = InventoryStore.SLICES.sum();
        Map<String, List<dev.patchtide.core.patching.InstalledPackage>> found = server.database()
                .jdbi()
                .inTransaction(h -> restarted.findNamed(
                        h, List.of(new InventoryStore.Named(host.instanceId(), report.hash(), names))));

        assertThat(found.get(host.instanceId()))
                .isEqualTo(dev.patchtide.core.patching.Inventory.named(
                        dev.patchtide.core.patching.Inventory.canonical(report.inventory), names))
                .hasSize(4 * 4); // names ending in 0 have four lines each (InventoryPiecesTest)
        assertThat(InventoryStore.SLICES.sum() - slices).as("pieces read").isEqualTo(2);
    }

    /**
     * Sends {@code report} from {@code host} (inventory by hash) and from a new instance (whole inventory), and
     * compares what each left; {@code kept}: whether the host's report must (true) or must not (false) have used
     * the kept part, null for either.
     */
    private void assertSameAsFromScratch(FakeAgent host, ScanReport report, Boolean kept) throws Exception {
        long before = KeptJudgement.REUSED.sum();
        report.sendInventory = false;
        JsonNode answer = report.send(host);
        long used = KeptJudgement.REUSED.sum() - before;
        FakeAgent fresh = agent();
        report.sendInventory = true;
        JsonNode reference = report.send(fresh);

        assertThat(answer.path("ComplianceStatus")).isEqualTo(reference.path("ComplianceStatus"));
        assertThat(answer.path("MissingCount")).isEqualTo(reference.path("MissingCount"));
        assertThat(view(host.instanceId())).isEqualTo(view(fresh.instanceId()));
        if (kept != null) {
            assertThat(used).as("reports judged with the kept part").isEqualTo(kept ? 1 : 0);
        }
    }

    /** Everything a judgement leaves for an instance, without its id, snapshot id and times. */
    private Map<String, Object> view(String id) {
        Map<String, Object> v = new LinkedHashMap<>();
        InstancePatchState s = ssm.describeInstancePatchStates(b -> b.instanceIds(id))
                .instancePatchStates()
                .getFirst();
        v.put(
                "counts",
                List.of(
                        s.installedCount(),
                        s.installedOtherCount(),
                        s.installedPendingRebootCount(),
                        s.installedRejectedCount(),
                        s.missingCount(),
                        s.failedCount(),
                        s.notApplicableCount(),
                        s.unreportedNotApplicableCount(),
                        s.criticalNonCompliantCount(),
                        s.securityNonCompliantCount(),
                        s.otherNonCompliantCount(),
                        s.baselineId(),
                        s.patchGroup()));
        v.put("rows", server.database().jdbi().withHandle(h -> h.createQuery("SELECT title, kb_id, classification,"
                        + " severity, state, compliance_level, cve_ids, security, installed_time, compliance_status,"
                        + " reported_installed_count FROM instance_patches p JOIN instance_patch_states s"
                        + " USING (instance_id) WHERE instance_id = :id ORDER BY kb_id")
                .bind("id", id)
                .mapToMap()
                .list()));
        v.put("stateRow", server.database().jdbi().withHandle(h -> h.createQuery("SELECT compliance_status,"
                        + " reported_installed_count, available_security_update_count, installed_judgement"
                        + " FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", id)
                .mapToMap()
                .one()));
        List<String> items = new ArrayList<>();
        ssm.listComplianceItemsPaginator(b -> b.resourceIds(id).resourceTypes("ManagedInstance"))
                .complianceItems()
                .forEach(i -> items.add(i.complianceType() + " " + i.id() + " " + i.title() + " " + i.status() + " "
                        + i.severity() + " " + i.details()));
        v.put("complianceItems", items);
        List<String> patches = new ArrayList<>();
        ssm.describeInstancePatchesPaginator(b -> b.instanceId(id))
                .patches()
                .forEach(p -> patches.add(p.kbId() + " " + p.stateAsString() + " " + p.severity() + " "
                        + p.classification() + " " + p.installedTime() + " " + p.cveIds()));
        v.put("describeInstancePatches", patches);
        assertThat(patches).isNotEmpty();
        return v;
    }

    private boolean needsEvaluation(String id) {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT needs_evaluation FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", id)
                .mapTo(Boolean.class)
                .one());
    }

    private FakeAgent agent() throws Exception {
        FakeAgent a = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(a.instanceId())
                .tags(Tag.builder().key("Patch Group").value("scenario").build()));
        return a;
    }
}
