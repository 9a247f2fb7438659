package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchAction;
import software.amazon.awssdk.services.ssm.model.PatchComplianceLevel;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Stored scans are judged again when the baseline or the patch group changes; each change of outcome is
 * kept in the history, and each change of status reaches the listener inside the storing transaction.
 */
// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class ReEvaluationTest {
    /** What the listener saw, and whether the change was visible to it in its own transaction. */
    record Seen(ComplianceStateListener.Change change, boolean inTransaction, String storedStatus) {}

    final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    MutableClock clock;
    TestServer server;
    SsmClient ssm;
    FakeAgent agent;
    ApiClient admin;
    String baseline;

    @BeforeEach
    void start() throws Exception {
        clock = MutableClock.ofNow();
        server = TestServer.start(
                clock,
                (handle, change) -> seen.add(new Seen(
                        change,
                        handle.isInTransaction(),
                        handle.createQuery(
                                        "SELECT compliance_status FROM instance_patch_states WHERE instance_id = :id")
                                .bind("id", change.instanceId())
                                .mapTo(String.class)
                                .one())));
        ssm = server.ssm();
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("r"));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        admin = new ApiClient(
                server.endpoint(),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())),
                InstantSource.system());
        baseline = ssm.createPatchBaseline(b -> b.name("web")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel(PatchComplianceLevel.HIGH)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRIORITY).values("Required"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(baseline).patchGroup("web"));
        tag("Patch Group", "web");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static ScanReport scan() {
        return new ScanReport()
                .installed("bash", "5.2.15-2+b7")
                .update("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", false, "Optional");
    }

    @Test
    void updatingTheBaselineJudgesStoredScansAgain() throws Exception {
        assertThat(scan().send(agent).path("ComplianceStatus").asText()).isEqualTo("COMPLIANT");
        scan().hashOnly().send(agent); // same outcome: no history row, no listener call

        ssm.updatePatchBaseline(b -> b.baselineId(baseline)
                .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                        .enableNonSecurity(true)
                        .complianceLevel(PatchComplianceLevel.HIGH)
                        .patchFilterGroup(g -> g.patchFilters(
                                f -> f.key(PatchFilterKey.PRIORITY).values("Required", "Optional"))))));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state().missingCount()).isEqualTo(1));
        assertThat(state().complianceStatus()).isEqualTo("NON_COMPLIANT");
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).change().oldStatus()).isEmpty();
        assertThat(seen.get(0).change().newStatus()).isEqualTo("COMPLIANT");
        Seen second = seen.get(1);
        assertThat(second.change().oldStatus()).contains("COMPLIANT");
        assertThat(second.change().newStatus()).isEqualTo("NON_COMPLIANT");
        assertThat(second.change().baselineId()).isEqualTo(baseline);
        assertThat(second.change().patchGroup()).isEqualTo("web");
        assertThat(second.change().nonCompliant().high()).isEqualTo(1);
        assertThat(second.inTransaction()).isTrue();
        assertThat(second.storedStatus()).isEqualTo("NON_COMPLIANT");

        JsonNode history = admin.call("Patchtide.GetComplianceHistory", Map.of("InstanceId", agent.instanceId()));
        List<String> statuses = new ArrayList<>();
        history.path("Entries")
                .forEach(e -> statuses.add(e.path("ComplianceStatus").asText()));
        assertThat(statuses).containsExactly("COMPLIANT", "NON_COMPLIANT");
        assertThat(history.path("Entries").get(1).path("MissingCount").asInt()).isEqualTo(1);
    }

    @Test
    void anInstanceThatCannotBeJudgedDoesNotHoldUpTheOthersOfItsBatch() throws Exception {
        CreateActivationResponse more = ssm.createActivation(b -> b.iamRole("r"));
        FakeAgent broken = FakeAgent.register(server.endpoint(), more.activationId(), more.activationCode());
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(broken.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));
        scan().send(agent);
        scan().send(broken);
        // A stored scan this server cannot read any more: judging the batch fails, then each alone.
        server.database().jdbi().useHandle(h -> h.createUpdate(
                        "UPDATE instance_patch_states SET last_scan = '{\"Unreadable\": true}' WHERE instance_id = :id")
                .bind("id", broken.instanceId())
                .execute());

        ssm.updatePatchBaseline(b -> b.baselineId(baseline)
                .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                        .enableNonSecurity(true)
                        .complianceLevel(PatchComplianceLevel.HIGH)
                        .patchFilterGroup(g -> g.patchFilters(
                                f -> f.key(PatchFilterKey.PRIORITY).values("Required", "Optional"))))));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state().missingCount()).isEqualTo(1));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(waitingForEvaluation()).isZero());
        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(broken.instanceId()))
                        .instancePatchStates()
                        .getFirst()
                        .missingCount())
                .as("left as it was judged before")
                .isZero();
    }

    @Test
    void aMissingStoredInventoryKeepsTheLastVerdictAndAsksTheAgentForItAgain() throws Exception {
        // bash is installed and rejected (BLOCK): the instance is non-compliant because of its inventory.
        updateBaseline(PatchComplianceLevel.HIGH);
        assertThat(scan().send(agent).path("ComplianceStatus").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(state().complianceStatus()).isEqualTo("NON_COMPLIANT");

        // The inventory row goes away behind the server's back (a partial restore, a hand-made DELETE).
        server.database().jdbi().useTransaction(h -> {
            h.execute("SET LOCAL session_replication_role = replica"); // past the foreign key, as a restore is
            h.execute("DELETE FROM installed_inventories");
        });
        updateBaseline(PatchComplianceLevel.MEDIUM); // marks the instance for re-evaluation

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(waitingForEvaluation()).isZero();
            assertThat(metrics()).contains("patchtide_reevaluation_inventory_missing_total 1.0");
        });
        assertThat(state().complianceStatus())
                .as("an empty inventory would have made it compliant")
                .isEqualTo("NON_COMPLIANT");
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                        .patches())
                .extracting(p -> p.title() + " " + p.stateAsString())
                .contains("bash INSTALLED_REJECTED");

        // The agent's next report names its inventory by hash: the server asks for the inventory itself,
        // and the report that carries it is judged against the changed baseline.
        assertThatThrownBy(() -> scan().hashOnly().send(agent)).hasMessageContaining("InventoryRequired");
        assertThat(scan().send(agent).path("ComplianceStatus").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(state().complianceStatus()).isEqualTo("NON_COMPLIANT");
    }

    private void updateBaseline(PatchComplianceLevel level) {
        ssm.updatePatchBaseline(b -> b.baselineId(baseline)
                .rejectedPatches("bash")
                .rejectedPatchesAction(PatchAction.BLOCK)
                .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                        .enableNonSecurity(true)
                        .complianceLevel(level)
                        .patchFilterGroup(g -> g.patchFilters(
                                f -> f.key(PatchFilterKey.PRIORITY).values("Required"))))));
    }

    private String metrics() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                            HttpRequest.newBuilder(server.endpoint().resolve("/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }

    @Test
    void changingThePatchGroupTagJudgesTheInstanceByItsNewBaseline() throws Exception {
        String strict = ssm.createPatchBaseline(b -> b.name("strict")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel(PatchComplianceLevel.CRITICAL)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRODUCT).values("*"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(strict).patchGroup("strict"));
        scan().send(agent);
        assertThat(state().baselineId()).isEqualTo(baseline);

        tag("PatchGroup", "ignored-as-Patch-Group-wins");
        tag("Patch Group", "strict");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state().baselineId()).isEqualTo(strict));
        State state = state();
        assertThat(state.patchGroup()).isEqualTo("strict");
        assertThat(state.missingCount()).isEqualTo(1);
        assertThat(state.installedCount()).isEqualTo(1); // bash: PRODUCT=* approves every installed package
        assertThat(state.criticalNonCompliantCount()).isEqualTo(1);
        assertThat(seen).extracting(s -> s.change().newStatus()).containsExactly("COMPLIANT", "NON_COMPLIANT");

        // Dropping the tag puts the instance under the OS default (security updates only): compliant again.
        ssm.removeTagsFromResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tagKeys("Patch Group", "PatchGroup"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state().patchGroup()).isEmpty());
        assertThat(state().missingCount()).isZero();
        assertThat(seen)
                .extracting(s -> s.change().newStatus())
                .containsExactly("COMPLIANT", "NON_COMPLIANT", "COMPLIANT");
    }

    @Test
    void fleetHistoryCountsCompliantAndNonCompliantInstancesPerDay() throws Exception {
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("r"));
        FakeAgent other = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        Instant day1 = Instant.parse("2026-03-01T10:00:00Z");
        Instant day2 = Instant.parse("2026-03-02T10:00:00Z");
        clock.advance(Duration.between(clock.instant(), day1)); // history is dated by the server's clock
        scan().at(day1).send(agent); // compliant on day 1
        new ScanReport()
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important")
                .at(day1)
                .send(other); // non-compliant under the default baseline
        clock.advance(Duration.ofDays(1));
        new ScanReport()
                .installed("bash", "5.2.15-2+b7")
                .update("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", false, "Required")
                .at(day2)
                .send(agent); // non-compliant on day 2

        JsonNode daily = admin.call(
                "Patchtide.GetComplianceHistory",
                Map.of(
                        "StartTime",
                        day1.getEpochSecond(),
                        "EndTime",
                        day2.plusSeconds(86_400).getEpochSecond()));

        List<String> days = new ArrayList<>();
        daily.path("DailyCounts")
                .forEach(d -> days.add(
                        d.path("Date").asText() + " " + d.path("CompliantCount").asInt() + "/"
                                + d.path("NonCompliantCount").asInt()));
        assertThat(days).containsExactly("2026-03-01 1/1", "2026-03-02 0/2", "2026-03-03 0/2");

        JsonNode firstPage = admin.call(
                "Patchtide.GetComplianceHistory",
                Map.of(
                        "StartTime", day1.getEpochSecond(),
                        "EndTime", day2.plusSeconds(86_400).getEpochSecond(),
                        "MaxResults", 2));
        assertThat(firstPage.path("DailyCounts")).hasSize(2);
        JsonNode secondPage = admin.call(
                "Patchtide.GetComplianceHistory",
                Map.of(
                        "StartTime", day1.getEpochSecond(),
                        "EndTime", day2.plusSeconds(86_400).getEpochSecond(),
                        "MaxResults", 2,
                        "NextToken", firstPage.path("NextToken").asText()));
        assertThat(secondPage.path("DailyCounts").get(0).path("Date").asText()).isEqualTo("2026-03-03");
        assertThat(secondPage.has("NextToken")).isFalse();
    }

    /** The SDK's InstancePatchState plus the status only Patchtide's report carries. */
    private record State(
            String baselineId,
            String patchGroup,
            int missingCount,
            int installedCount,
            int criticalNonCompliantCount,
            String complianceStatus) {}

    private State state() throws Exception {
        InstancePatchState s = ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
        String status = admin.call("Patchtide.GetComplianceReport", Map.of("ResourceId", agent.instanceId()))
                .path("Status")
                .asText();
        return new State(
                s.baselineId(),
                s.patchGroup(),
                s.missingCount(),
                s.installedCount(),
                s.criticalNonCompliantCount(),
                status);
    }

    private int waitingForEvaluation() {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM instance_patch_states WHERE needs_evaluation")
                .mapTo(Integer.class)
                .one());
    }

    private void tag(String key, String value) {
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tags(Tag.builder().key(key).value(value).build()));
    }
}
