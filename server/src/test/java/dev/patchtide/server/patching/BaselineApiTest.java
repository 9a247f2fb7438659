package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.AlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.DoesNotExistException;
import software.amazon.awssdk.services.ssm.model.GetPatchBaselineResponse;
import software.amazon.awssdk.services.ssm.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.ssm.model.InvalidResourceIdException;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchBaselineIdentity;
import software.amazon.awssdk.services.ssm.model.PatchComplianceLevel;
import software.amazon.awssdk.services.ssm.model.PatchFilter;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.PatchRule;
import software.amazon.awssdk.services.ssm.model.ResourceInUseException;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Tag;

// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class BaselineApiTest {
    TestServer server;
    SsmClient ssm;

    @BeforeEach
    void start() {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void predefinedBaselinesAreTheDefaultsWithAwsEquivalentRules() {
        List<PatchBaselineIdentity> predefined = ssm.describePatchBaselines(
                        b -> b.filters(f -> f.key("OWNER").values("AWS")))
                .baselineIdentities();
        assertThat(predefined)
                .extracting(PatchBaselineIdentity::baselineName)
                .contains(
                        "AWS-DebianDefaultPatchBaseline",
                        "AWS-UbuntuDefaultPatchBaseline",
                        "AWS-RedHatDefaultPatchBaseline",
                        "AWS-RockyLinuxDefaultPatchBaseline");
        assertThat(predefined).allMatch(PatchBaselineIdentity::defaultBaseline);

        String debian = ssm.getPatchBaselineForPatchGroup(
                        b -> b.patchGroup("anything").operatingSystem(OperatingSystem.DEBIAN))
                .baselineId();
        GetPatchBaselineResponse debianBaseline = ssm.getPatchBaseline(b -> b.baselineId(debian));
        assertThat(debianBaseline.name()).isEqualTo("AWS-DebianDefaultPatchBaseline");
        PatchRule debianRule = debianBaseline.approvalRules().patchRules().getFirst();
        assertThat(debianRule.approveAfterDays()).isZero();
        assertThat(debianRule.patchFilterGroup().patchFilters().getFirst().keyAsString())
                .isEqualTo("PRIORITY");

        String redhat = ssm.getPatchBaselineForPatchGroup(
                        b -> b.patchGroup("x").operatingSystem(OperatingSystem.REDHAT_ENTERPRISE_LINUX))
                .baselineId();
        PatchRule security = ssm.getPatchBaseline(b -> b.baselineId(redhat))
                .approvalRules()
                .patchRules()
                .getFirst();
        assertThat(security.approveAfterDays()).isEqualTo(7);
        assertThat(security.patchFilterGroup().patchFilters())
                .extracting(PatchFilter::keyAsString, PatchFilter::values)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("CLASSIFICATION", List.of("Security")),
                        org.assertj.core.groups.Tuple.tuple("SEVERITY", List.of("Critical", "Important")));

        assertThatThrownBy(() -> ssm.deletePatchBaseline(b -> b.baselineId(debian)))
                .isInstanceOf(InvalidResourceIdException.class);
    }

    @Test
    void baselineLifecycleWithPatchGroupsAndDefaults() {
        String id = ssm.createPatchBaseline(b -> b.name("web-debian")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .description("everything, at once")
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .complianceLevel(PatchComplianceLevel.HIGH)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRODUCT).values("*")))))
                        .rejectedPatches("telnet")
                        .tags(Tag.builder().key("team").value("web").build()))
                .baselineId();
        assertThat(id).matches("pb-[0-9a-f]{17}");

        GetPatchBaselineResponse got = ssm.getPatchBaseline(b -> b.baselineId(id));
        assertThat(got.name()).isEqualTo("web-debian");
        assertThat(got.operatingSystem()).isEqualTo(OperatingSystem.DEBIAN);
        assertThat(got.rejectedPatches()).containsExactly("telnet");
        assertThat(got.rejectedPatchesActionAsString()).isEqualTo("ALLOW_AS_DEPENDENCY");
        assertThat(got.approvalRules().patchRules().getFirst().complianceLevel())
                .isEqualTo(PatchComplianceLevel.HIGH);
        assertThat(ssm.listTagsForResource(b -> b.resourceType(ResourceTypeForTagging.PATCH_BASELINE)
                                .resourceId(id))
                        .tagList())
                .containsExactly(Tag.builder().key("team").value("web").build());

        ssm.updatePatchBaseline(b -> b.baselineId(id).approvedPatches("openssl"));
        GetPatchBaselineResponse merged = ssm.getPatchBaseline(b -> b.baselineId(id));
        assertThat(merged.approvedPatches()).containsExactly("openssl");
        assertThat(merged.rejectedPatches()).containsExactly("telnet");
        assertThat(merged.modifiedDate()).isAfterOrEqualTo(merged.createdDate());
        ssm.updatePatchBaseline(b -> b.baselineId(id).replace(true).description("replaced"));
        GetPatchBaselineResponse replaced = ssm.getPatchBaseline(b -> b.baselineId(id));
        assertThat(replaced.rejectedPatches()).isEmpty();
        assertThat(replaced.approvalRules()).isNull();
        assertThat(replaced.name()).isEqualTo("web-debian");

        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(id).patchGroup("web"));
        assertThat(ssm.getPatchBaselineForPatchGroup(b -> b.patchGroup("web").operatingSystem(OperatingSystem.DEBIAN))
                        .baselineId())
                .isEqualTo(id);
        assertThat(ssm.getPatchBaseline(b -> b.baselineId(id)).patchGroups()).containsExactly("web");
        assertThatThrownBy(() -> ssm.registerPatchBaselineForPatchGroup(
                        b -> b.baselineId(id).patchGroup("web")))
                .isInstanceOf(AlreadyExistsException.class);
        assertThat(ssm.describePatchGroups(b -> {}).mappings()).singleElement().satisfies(m -> {
            assertThat(m.patchGroup()).isEqualTo("web");
            assertThat(m.baselineIdentity().baselineId()).isEqualTo(id);
        });

        assertThatThrownBy(() -> ssm.deletePatchBaseline(b -> b.baselineId(id)))
                .isInstanceOf(ResourceInUseException.class);
        ssm.deregisterPatchBaselineForPatchGroup(b -> b.baselineId(id).patchGroup("web"));

        ssm.registerDefaultPatchBaseline(b -> b.baselineId(id));
        assertThat(ssm.getPatchBaselineForPatchGroup(b -> b.patchGroup("other").operatingSystem(OperatingSystem.DEBIAN))
                        .baselineId())
                .isEqualTo(id);
        assertThatThrownBy(() -> ssm.deletePatchBaseline(b -> b.baselineId(id)))
                .isInstanceOf(ResourceInUseException.class);
        String debianDefault = ssm.describePatchBaselines(
                        b -> b.filters(f -> f.key("NAME_PREFIX").values("AWS-Debian")))
                .baselineIdentities()
                .getFirst()
                .baselineId();
        ssm.registerDefaultPatchBaseline(b -> b.baselineId(debianDefault));

        ssm.deletePatchBaseline(b -> b.baselineId(id));
        assertThatThrownBy(() -> ssm.getPatchBaseline(b -> b.baselineId(id))).isInstanceOf(DoesNotExistException.class);
    }

    @Test
    void invalidBaselinesAreRefusedNamingTheFieldAndNothingIsStored() {
        int before = ssm.describePatchBaselines(
                        b -> b.filters(f -> f.key("OWNER").values("Self")))
                .baselineIdentities()
                .size();
        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("deb")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .patchFilterGroup(g -> g.patchFilters(f ->
                                        f.key(PatchFilterKey.CLASSIFICATION).values("Security")))))))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
                .hasMessageContaining("approvalRules.patchRules.1.member.patchFilterGroup.patchFilters.1.member.key")
                .hasMessageContaining("CLASSIFICATION is not a patch filter for DEBIAN");
        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("rhel")
                        .operatingSystem(OperatingSystem.REDHAT_ENTERPRISE_LINUX)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(7)
                                .approveUntilDate("2026-12-01")
                                .patchFilterGroup(g -> g.patchFilters(f ->
                                        f.key(PatchFilterKey.CLASSIFICATION).values("Security")))))))
                .hasMessageContaining("exactly one of ApproveAfterDays and ApproveUntilDate");
        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("no spaces allowed")))
                .hasMessageContaining("'name'");
        assertThat(ssm.describePatchBaselines(b -> b.filters(f -> f.key("OWNER").values("Self")))
                        .baselineIdentities())
                .hasSize(before);
    }

    /** SUSE through the SDK: its predefined default, its filter values, and a value it has not refused by name. */
    @Test
    void suseHasItsPredefinedBaselineAndItsOwnFilterValues() {
        String suse = ssm.getDefaultPatchBaseline(b -> b.operatingSystem(OperatingSystem.SUSE))
                .baselineId();
        GetPatchBaselineResponse baseline = ssm.getPatchBaseline(b -> b.baselineId(suse));
        assertThat(baseline.name()).isEqualTo("AWS-SuseDefaultPatchBaseline");
        assertThat(baseline.approvalRules()
                        .patchRules()
                        .getFirst()
                        .patchFilterGroup()
                        .patchFilters())
                .extracting(PatchFilter::keyAsString, PatchFilter::values)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("CLASSIFICATION", List.of("Security")),
                        org.assertj.core.groups.Tuple.tuple("SEVERITY", List.of("Critical", "Important")));
        assertThat(ssm.describePatchProperties(b -> b.operatingSystem(OperatingSystem.SUSE)
                                .property(software.amazon.awssdk.services.ssm.model.PatchProperty.CLASSIFICATION))
                        .properties())
                .extracting(p -> p.get("Name"))
                .containsExactly("Security", "Recommended", "Optional", "Feature", "Document", "Yast");

        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("sles-bugfix")
                        .operatingSystem(OperatingSystem.SUSE)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .patchFilterGroup(g -> g.patchFilters(f ->
                                        f.key(PatchFilterKey.CLASSIFICATION).values("Bugfix")))))))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
                .hasMessageContaining("patchFilters.1.member.values.1.member: not a CLASSIFICATION of SUSE");
        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("sles-priority")
                        .operatingSystem(OperatingSystem.SUSE)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRIORITY).values("Required")))))))
                .hasMessageContaining("PRIORITY is not a patch filter for SUSE");
    }

    @Test
    void patchPropertiesListWhatRulesCanFilterOnAndPage() {
        assertThat(ssm.describePatchProperties(b -> b.operatingSystem(OperatingSystem.DEBIAN)
                                .property(software.amazon.awssdk.services.ssm.model.PatchProperty.PRIORITY))
                        .properties())
                .extracting(p -> p.get("Name"))
                .containsExactly("Required", "Important", "Standard", "Optional", "Extra");
        var firstPage = ssm.describePatchProperties(b -> b.operatingSystem(OperatingSystem.REDHAT_ENTERPRISE_LINUX)
                .property(software.amazon.awssdk.services.ssm.model.PatchProperty.PRODUCT)
                .maxResults(10));
        assertThat(firstPage.properties()).hasSize(10);
        var secondPage = ssm.describePatchProperties(b -> b.operatingSystem(OperatingSystem.REDHAT_ENTERPRISE_LINUX)
                .property(software.amazon.awssdk.services.ssm.model.PatchProperty.PRODUCT)
                .maxResults(10)
                .nextToken(firstPage.nextToken()));
        assertThat(secondPage.properties().getFirst().get("Name")).isEqualTo("RedhatEnterpriseLinux8.0");
    }

    @Test
    void clientTokenMakesCreationIdempotent() {
        String first = ssm.createPatchBaseline(b ->
                        b.name("idem").operatingSystem(OperatingSystem.UBUNTU).clientToken("tok-1"))
                .baselineId();
        String again = ssm.createPatchBaseline(b ->
                        b.name("idem").operatingSystem(OperatingSystem.UBUNTU).clientToken("tok-1"))
                .baselineId();
        assertThat(again).isEqualTo(first);
        assertThatThrownBy(() -> ssm.createPatchBaseline(b ->
                        b.name("other").operatingSystem(OperatingSystem.UBUNTU).clientToken("tok-1")))
                .isInstanceOf(IdempotentParameterMismatchException.class);
    }
}
