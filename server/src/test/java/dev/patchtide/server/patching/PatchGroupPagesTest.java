package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.DescribeInstancePatchStatesForPatchGroupRequest;
import software.amazon.awssdk.services.ssm.model.DescribeInstancePatchStatesForPatchGroupResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.InstancePatchStateOperatorType;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchComplianceLevel;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * DescribeInstancePatchStatesForPatchGroup over a group of many instances: pages in id order by NextToken, count
 * filters (the rarely non-zero counts, served by their own index, and the common ones), and the other groups
 * kept out.
 */
// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class PatchGroupPagesTest {
    TestServer server;
    SsmClient ssm;
    final List<String> web = new ArrayList<>();
    final List<String> webFailed = new ArrayList<>();
    final List<String> webCompliant = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        String baseline = ssm.createPatchBaseline(b -> b.name("important")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel(PatchComplianceLevel.HIGH)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRIORITY).values("Important"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(baseline).patchGroup("web"));
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(baseline).patchGroup("db"));
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("r").registrationLimit(100));
        for (int i = 0; i < 25; i++) {
            FakeAgent agent =
                    FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
            String group = i % 5 == 0 ? "db" : "web";
            ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                    .resourceId(agent.instanceId())
                    .tags(Tag.builder().key("Patch Group").value(group).build()));
            ScanReport scan = new ScanReport().installed("bash", "5.2.15-2+b7");
            if (i % 4 == 1) { // an approved update whose install failed
                scan.update("curl", "7.88.1-10", "7.88.1-10+deb12u8", false, "Important")
                        .failed("curl");
            } else if (i % 4 == 2) { // an approved update not installed yet
                scan.update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important");
            }
            scan.send(agent);
            if (group.equals("web")) {
                web.add(agent.instanceId());
                if (i % 4 == 1) {
                    webFailed.add(agent.instanceId());
                } else if (i % 4 != 2) {
                    webCompliant.add(agent.instanceId());
                }
            }
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void pagesCoverTheGroupOnceInIdOrderAndNothingElse() {
        assertThat(web).hasSize(20);
        assertThat(ids(allPages(b -> b.patchGroup("web").maxResults(10)))).containsExactlyElementsOf(sorted(web));
        assertThat(allPages(b -> b.patchGroup("web").maxResults(10)))
                .allSatisfy(s -> assertThat(s.patchGroup()).isEqualTo("web"));
        assertThat(allPages(b -> b.patchGroup("db"))).hasSize(5);
        assertThat(allPages(b -> b.patchGroup("nobody"))).isEmpty();
    }

    @Test
    void countFiltersSelectTheirInstancesAcrossPages() {
        List<InstancePatchState> failed = allPages(b -> b.patchGroup("web")
                .maxResults(10)
                .filters(f -> f.key("FailedCount").values("0").type(InstancePatchStateOperatorType.GREATER_THAN)));
        assertThat(ids(failed)).containsExactlyElementsOf(sorted(webFailed));
        assertThat(failed).allSatisfy(s -> assertThat(s.failedCount()).isEqualTo(1));

        assertThat(ids(allPages(b -> b.patchGroup("web")
                        .maxResults(10)
                        .filters(
                                f -> f.key("MissingCount").values("1").type(InstancePatchStateOperatorType.LESS_THAN),
                                f -> f.key("FailedCount").values("0").type(InstancePatchStateOperatorType.EQUAL)))))
                .containsExactlyElementsOf(sorted(webCompliant));
        assertThat(allPages(b -> b.patchGroup("web")
                        .filters(f ->
                                f.key("FailedCount").values("1").type(InstancePatchStateOperatorType.GREATER_THAN))))
                .isEmpty();
        assertThat(ids(allPages(b -> b.patchGroup("web").maxResults(10).filters(f -> f.key("FailedCount")
                        .values("-1")
                        .type(InstancePatchStateOperatorType.NOT_EQUAL)))))
                .containsExactlyElementsOf(sorted(web));
    }

    @Test
    void aTokenOfOneGroupIsRefusedByAnother() {
        String token = ssm.describeInstancePatchStatesForPatchGroup(
                        b -> b.patchGroup("web").maxResults(10))
                .nextToken();
        assertThat(token).isNotNull();
        assertThatThrownBy(() -> ssm.describeInstancePatchStatesForPatchGroup(
                        b -> b.patchGroup("db").nextToken(token)))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidNextToken"));
    }

    private List<InstancePatchState> allPages(
            Consumer<DescribeInstancePatchStatesForPatchGroupRequest.Builder> request) {
        List<InstancePatchState> seen = new ArrayList<>();
        String token = null;
        do {
            String current = token;
            DescribeInstancePatchStatesForPatchGroupResponse page = ssm.describeInstancePatchStatesForPatchGroup(b -> {
                request.accept(b);
                b.nextToken(current);
            });
            assertThat(page.instancePatchStates()).hasSizeLessThanOrEqualTo(10);
            seen.addAll(page.instancePatchStates());
            token = page.nextToken();
        } while (token != null);
        return seen;
    }

    private static List<String> ids(List<InstancePatchState> states) {
        return states.stream().map(InstancePatchState::instanceId).toList();
    }

    private static List<String> sorted(List<String> ids) {
        return ids.stream().sorted().toList();
    }
}
