package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.eventbridge.model.Rule;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchComplianceLevel;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Values AWS reserves or keeps to a closed set are refused as AWS refuses them, through the SDK, and a
 * refused request changes nothing: schedule expressions with stray spaces, {@code aws:} tag keys, patch
 * filter values outside the operating system's set, a filter key given twice.
 */
// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class ReservedValuesTest {
    static EventsFixture f;
    static SsmClient ssm;

    @BeforeAll
    static void start() {
        f = new EventsFixture();
        ssm = f.server.ssm();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static String code(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    @Test
    void aScheduleExpressionWithStraySpacesIsRefusedAndNotStored() {
        f.events.putRule(b -> b.name("nightly").scheduleExpression("cron(0 2 * * ? *)"));
        for (String spaced : List.of(
                " rate(5 minutes)",
                "rate(5 minutes) ",
                "cron(0 2 * * ? * )",
                "cron( 0 2 * * ? *)",
                "rate(5  minutes)",
                "cron(0 2 * *\t? *)")) {
            assertThatThrownBy(() -> f.events.putRule(b -> b.name("spaced").scheduleExpression(spaced)))
                    .as(spaced)
                    .isInstanceOfSatisfying(
                            AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("ValidationException"))
                    .hasMessageContaining("Parameter ScheduleExpression is not valid.");
            assertThatThrownBy(() -> f.events.putRule(b -> b.name("nightly").scheduleExpression(spaced)))
                    .as(spaced)
                    .isInstanceOf(AwsServiceException.class);
        }
        assertThat(f.events.listRules(b -> {}).rules()).extracting(Rule::name).doesNotContain("spaced");
        assertThat(f.events.describeRule(b -> b.name("nightly")).scheduleExpression())
                .isEqualTo("cron(0 2 * * ? *)");
    }

    @Test
    void tagKeysStartingWithAwsColonAreRefusedInAnyCase() {
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("r"));
        String baseline = ssm.createPatchBaseline(b -> b.name("tagged").operatingSystem(OperatingSystem.DEBIAN))
                .baselineId();
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.PATCH_BASELINE)
                .resourceId(baseline)
                .tags(Tag.builder().key("team").value("ops").build()));
        for (String key : List.of("aws:createdBy", "AWS:x", "Aws:")) {
            assertThatThrownBy(() -> ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.PATCH_BASELINE)
                            .resourceId(baseline)
                            .tags(
                                    Tag.builder().key("owner").value("me").build(),
                                    Tag.builder().key(key).value("v").build())))
                    .as(key)
                    .isInstanceOfSatisfying(
                            AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("ValidationException"))
                    .hasMessageContaining("tags.2.member.key")
                    .hasMessageContaining("'aws:'");
            assertThatThrownBy(() -> f.events.putRule(b -> b.name("tagged-" + key.length())
                            .eventPattern("{\"source\":[\"my.app\"]}")
                            .tags(software.amazon.awssdk.services.eventbridge.model.Tag.builder()
                                    .key(key)
                                    .value("v")
                                    .build())))
                    .as(key)
                    .isInstanceOfSatisfying(
                            AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("ValidationException"));
            assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("reserved-" + key.length())
                            .tags(Tag.builder().key(key).value("v").build())))
                    .as(key)
                    .isInstanceOf(AwsServiceException.class);
        }
        assertThatThrownBy(() -> ssm.removeTagsFromResource(b -> b.resourceType(ResourceTypeForTagging.PATCH_BASELINE)
                        .resourceId(baseline)
                        .tagKeys("aws:createdBy")))
                .isInstanceOfSatisfying(
                        AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("ValidationException"));
        assertThat(ssm.listTagsForResource(b -> b.resourceType(ResourceTypeForTagging.PATCH_BASELINE)
                                .resourceId(baseline))
                        .tagList())
                .extracting(Tag::key)
                .containsExactly("team");
        assertThat(f.events.listRules(b -> b.namePrefix("tagged-")).rules()).isEmpty();
        assertThat(ssm.describePatchBaselines(
                                b -> b.filters(x -> x.key("NAME_PREFIX").values("reserved-")))
                        .baselineIdentities())
                .isEmpty();
        assertThat(activation.activationId()).isNotBlank();
    }

    @Test
    void patchFilterValuesOutsideTheOperatingSystemsSetAreRefused() {
        String id = ssm.createPatchBaseline(b -> b.name("rhel")
                        .operatingSystem(OperatingSystem.REDHAT_ENTERPRISE_LINUX)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(7)
                                .complianceLevel(PatchComplianceLevel.HIGH)
                                .patchFilterGroup(g -> g.patchFilters(
                                        x -> x.key(PatchFilterKey.CLASSIFICATION)
                                                .values("Security"),
                                        x -> x.key(PatchFilterKey.SEVERITY).values("Critical", "*"))))))
                .baselineId();
        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("typo")
                        .operatingSystem(OperatingSystem.REDHAT_ENTERPRISE_LINUX)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(7)
                                .patchFilterGroup(g -> g.patchFilters(
                                        x -> x.key(PatchFilterKey.SEVERITY).values("Critical", "Critcal")))))))
                .isInstanceOfSatisfying(
                        AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("ValidationException"))
                .hasMessageContaining("patchFilters.1.member.values.2.member")
                .hasMessageContaining("not a SEVERITY of REDHAT_ENTERPRISE_LINUX");
        // Amazon Linux names its severities differently from RHEL: Moderate is not one of them.
        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("al2023")
                        .operatingSystem(OperatingSystem.AMAZON_LINUX_2023)
                        .globalFilters(g -> g.patchFilters(
                                x -> x.key(PatchFilterKey.SEVERITY).values("Moderate")))))
                .isInstanceOf(AwsServiceException.class)
                .hasMessageContaining("not a SEVERITY of AMAZON_LINUX_2023");
        assertThatThrownBy(() -> ssm.updatePatchBaseline(b -> b.baselineId(id)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(7)
                                .patchFilterGroup(g -> g.patchFilters(x ->
                                        x.key(PatchFilterKey.CLASSIFICATION).values("security")))))))
                .isInstanceOf(AwsServiceException.class)
                .hasMessageContaining("not a CLASSIFICATION of REDHAT_ENTERPRISE_LINUX");
        assertThatThrownBy(() -> ssm.createPatchBaseline(b -> b.name("deb")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .globalFilters(g -> g.patchFilters(
                                x -> x.key(PatchFilterKey.PRIORITY).values("Urgent")))))
                .isInstanceOf(AwsServiceException.class)
                .hasMessageContaining("not a PRIORITY of DEBIAN");
        var stored = ssm.getPatchBaseline(b -> b.baselineId(id));
        assertThat(stored.approvalRules()
                        .patchRules()
                        .getFirst()
                        .patchFilterGroup()
                        .patchFilters())
                .extracting(x -> x.keyAsString() + "=" + x.values())
                .containsExactly("CLASSIFICATION=[Security]", "SEVERITY=[Critical, *]");
        assertThat(ssm.describePatchBaselines(b -> b.filters(x -> x.key("OWNER").values("Self")))
                        .baselineIdentities())
                .extracting(x -> x.baselineName())
                .doesNotContain("typo", "al2023", "deb");
    }

    @Test
    void aFilterKeyGivenTwiceIsRefused() {
        assertThatThrownBy(() -> ssm.describeInstanceInformation(
                        b -> b.filters(x -> x.key("PingStatus").values("Online"), x -> x.key("PingStatus")
                                .values("ConnectionLost"))))
                .isInstanceOfSatisfying(
                        AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("InvalidFilterKey"))
                .hasMessageContaining("The filter key PingStatus is given twice.");
        assertThatThrownBy(() -> ssm.describeInstanceInformation(b -> b.instanceInformationFilterList(
                        x -> x.key("PingStatus").valueSet("Online"),
                        x -> x.key("PingStatus").valueSet("Online"))))
                .isInstanceOfSatisfying(
                        AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("InvalidFilterKey"));
        assertThatThrownBy(() -> ssm.describePatchBaselines(
                        b -> b.filters(x -> x.key("NAME_PREFIX").values("a"), x -> x.key("NAME_PREFIX")
                                .values("b"))))
                .isInstanceOfSatisfying(
                        AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("ValidationException"))
                .hasMessageContaining("The filter key NAME_PREFIX is given twice.");
        assertThatThrownBy(() -> ssm.describeInstancePatches(b -> b.instanceId("mi-0123456789abcdef0")
                        .filters(x -> x.key("State").values("Missing"), x -> x.key("State")
                                .values("Installed"))))
                .isInstanceOfSatisfying(
                        AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("InvalidFilter"));
        assertThatThrownBy(() -> ssm.describeActivations(
                        b -> b.filters(x -> x.filterKey("IamRole").filterValues("r"), x -> x.filterKey("IamRole")
                                .filterValues("s"))))
                .isInstanceOfSatisfying(
                        AwsServiceException.class, e -> assertThat(code(e)).isEqualTo("InvalidFilter"));
        // One key with several values is the way to ask for alternatives.
        assertThat(ssm.describeInstanceInformation(
                                b -> b.filters(x -> x.key("PingStatus").values("Online", "ConnectionLost")))
                        .instanceInformationList())
                .isEmpty();
    }
}
