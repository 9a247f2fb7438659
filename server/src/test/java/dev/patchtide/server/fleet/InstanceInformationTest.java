package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.Version;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.DescribeInstanceInformationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InstanceInformationFilterKey;
import software.amazon.awssdk.services.ssm.model.InvalidFilterKeyException;
import software.amazon.awssdk.services.ssm.model.InvalidInstanceIdException;
import software.amazon.awssdk.services.ssm.model.InvalidInstanceInformationFilterValueException;
import software.amazon.awssdk.services.ssm.model.PingStatus;
import software.amazon.awssdk.services.ssm.model.PlatformType;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Tag;

// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class InstanceInformationTest {
    final MutableClock clock = MutableClock.ofNow();
    TestServer server;
    CreateActivationResponse activation;

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        activation = server.ssm().createActivation(b -> b.iamRole("fleet-role").registrationLimit(100));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void reportedFactsAreListedInSsmShape() throws Exception {
        FakeAgent agent = register();
        agent.report("web-1.example.com", "10.1.2.3");

        InstanceInformation info = only(server.ssm().describeInstanceInformation(b -> {}));
        assertThat(info.instanceId()).isEqualTo(agent.instanceId());
        assertThat(info.computerName()).isEqualTo("web-1.example.com");
        assertThat(info.ipAddress()).isEqualTo("10.1.2.3");
        assertThat(info.platformType()).isEqualTo(PlatformType.LINUX);
        assertThat(info.platformName()).isEqualTo("Debian GNU/Linux");
        assertThat(info.platformVersion()).isEqualTo("12");
        assertThat(info.agentVersion()).isEqualTo(Version.current());
        assertThat(info.pingStatus()).isEqualTo(PingStatus.ONLINE);
        assertThat(info.lastPingDateTime()).isEqualTo(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        assertThat(info.activationId()).isEqualTo(activation.activationId());
        assertThat(info.iamRole()).isEqualTo("fleet-role");
        assertThat(info.resourceTypeAsString()).isEqualTo("ManagedInstance");
        assertThat(info.sourceTypeAsString()).isEqualTo("AWS::SSM::ManagedInstance");
    }

    @Test
    void isLatestVersionIsTrueOnlyForAnAgentOfTheServersOwnVersion() throws Exception {
        FakeAgent current = register();
        current.reportAsVersion(Version.current());
        FakeAgent older = register();
        older.reportAsVersion("0.0.9");
        FakeAgent silent = register();

        DescribeInstanceInformationResponse listed = server.ssm().describeInstanceInformation(b -> {});
        assertThat(listed.instanceInformationList())
                .filteredOn(i -> i.instanceId().equals(current.instanceId()))
                .singleElement()
                .satisfies(i -> assertThat(i.isLatestVersion()).isTrue());
        assertThat(listed.instanceInformationList())
                .filteredOn(i -> i.instanceId().equals(older.instanceId()))
                .singleElement()
                .satisfies(i -> assertThat(i.isLatestVersion()).isFalse());
        // No report yet: no version to judge, so the field is left out.
        assertThat(listed.instanceInformationList())
                .filteredOn(i -> i.instanceId().equals(silent.instanceId()))
                .singleElement()
                .satisfies(i -> assertThat(i.isLatestVersion()).isNull());
    }

    @Test
    void pingStatusTurnsToConnectionLostAfterMissedHeartbeatsAndBackOnReport() throws Exception {
        FakeAgent agent = register();
        agent.report("h", "10.0.0.1");

        clock.advance(Duration.ofMinutes(9));
        assertThat(only(server.ssm().describeInstanceInformation(b -> {})).pingStatus())
                .isEqualTo(PingStatus.ONLINE);

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(only(server.ssm().describeInstanceInformation(b -> {})).pingStatus())
                .isEqualTo(PingStatus.CONNECTION_LOST);

        agent.report("h", "10.0.0.1");
        assertThat(only(server.ssm().describeInstanceInformation(b -> {})).pingStatus())
                .isEqualTo(PingStatus.ONLINE);
    }

    @Test
    void filtersSelectByPingStatusPlatformIdsAndTags() throws Exception {
        FakeAgent online = register();
        FakeAgent lost = register();
        FakeAgent tagged = register();
        lost.report("lost", "10.0.0.2");
        clock.advance(Duration.ofHours(1));
        online.report("online", "10.0.0.1");
        tagged.report("tagged", "10.0.0.3");
        server.ssm().addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(tagged.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));

        assertThat(ids(server.ssm()
                        .describeInstanceInformation(b -> b.instanceInformationFilterList(f ->
                                f.key(InstanceInformationFilterKey.PING_STATUS).valueSet("ConnectionLost")))))
                .containsExactly(lost.instanceId());
        assertThat(ids(server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("PingStatus").values("Online")))))
                .containsExactlyInAnyOrder(online.instanceId(), tagged.instanceId());
        assertThat(ids(server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("tag:Patch Group").values("web", "db")))))
                .containsExactly(tagged.instanceId());
        assertThat(ids(server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("tag-key").values("Patch Group")))))
                .containsExactly(tagged.instanceId());
        assertThat(ids(server.ssm()
                        .describeInstanceInformation(b -> b.filters(
                                f -> f.key("InstanceIds").values(online.instanceId(), lost.instanceId()),
                                f -> f.key("PingStatus").values("Online")))))
                .containsExactly(online.instanceId());
        assertThat(ids(server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("PlatformTypes").values("Windows")))))
                .isEmpty();
        assertThat(ids(server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("ActivationIds").values(activation.activationId())))))
                .hasSize(3);
    }

    @Test
    void aTagFilterPagesThroughItsOwnInstancesInIdOrder() throws Exception {
        List<String> web = new ArrayList<>();
        List<String> db = new ArrayList<>();
        List<String> oddWebExpected = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            FakeAgent agent = register();
            agent.report("h" + i, "10.0.0." + i);
            String group = i % 3 == 0 ? "db" : "web";
            (group.equals("db") ? db : web).add(agent.instanceId());
            tag(agent.instanceId(), "Patch Group", group);
            tag(agent.instanceId(), "Role", i % 2 == 0 ? "even" : "odd");
            if (group.equals("web") && i % 2 == 1) {
                oddWebExpected.add(agent.instanceId());
            }
        }
        // Only a "PatchGroup" tag: the instance's patch group is web, but it has no "Patch Group" tag.
        FakeAgent otherKey = register();
        tag(otherKey.instanceId(), "PatchGroup", "web");
        FakeAgent gone = register();
        tag(gone.instanceId(), "Patch Group", "web");
        server.ssm().deregisterManagedInstance(b -> b.instanceId(gone.instanceId()));

        assertThat(allPages("web"))
                .containsExactlyElementsOf(web.stream().sorted().toList());
        List<String> both = new ArrayList<>(web);
        both.addAll(db);
        assertThat(allPages("db", "web", "db", "nobody"))
                .containsExactlyElementsOf(both.stream().sorted().toList());
        assertThat(allPages("nobody")).isEmpty();

        // A second tag filter and a column filter still narrow the leading one.
        List<String> oddWeb = new ArrayList<>();
        String token = null;
        do {
            String current = token;
            DescribeInstanceInformationResponse page = server.ssm().describeInstanceInformation(b -> b.maxResults(5)
                    .nextToken(current)
                    .filters(
                            f -> f.key("tag:Patch Group").values("web"),
                            f -> f.key("tag:Role").values("odd"),
                            f -> f.key("PingStatus").values("Online")));
            oddWeb.addAll(ids(page));
            token = page.nextToken();
        } while (token != null);
        assertThat(oddWeb)
                .hasSize(5)
                .containsExactlyElementsOf(oddWebExpected.stream().sorted().toList());
    }

    /** Every page of {@code tag:Patch Group} in {@code values}, five instances a page. */
    private List<String> allPages(String... values) {
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String current = token;
            DescribeInstanceInformationResponse page = server.ssm().describeInstanceInformation(b -> b.maxResults(5)
                    .nextToken(current)
                    .filters(f -> f.key("tag:Patch Group").values(values)));
            assertThat(page.instanceInformationList()).hasSizeLessThanOrEqualTo(5);
            seen.addAll(ids(page));
            token = page.nextToken();
        } while (token != null);
        return seen;
    }

    private void tag(String instanceId, String key, String value) {
        server.ssm().addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(instanceId)
                .tags(Tag.builder().key(key).value(value).build()));
    }

    @Test
    void badFiltersAreRefusedWithTheirOwnErrors() {
        assertThatThrownBy(() -> server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("Colour").values("blue"))))
                .isInstanceOf(InvalidFilterKeyException.class);
        assertThatThrownBy(() -> server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("PingStatus").values("Sleepy"))))
                .isInstanceOf(InvalidInstanceInformationFilterValueException.class);
        assertThatThrownBy(() -> server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("InstanceIds").values("server-7"))))
                .isInstanceOf(InvalidInstanceIdException.class);
        assertThatThrownBy(() -> server.ssm().describeInstanceInformation(b -> b.maxResults(51)))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
                .hasMessageContaining("maxResults");
    }

    @Test
    void pagesCoverEveryInstanceOnce() throws Exception {
        List<String> registered = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            registered.add(register().instanceId());
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String current = token;
            DescribeInstanceInformationResponse page = server.ssm()
                    .describeInstanceInformation(b -> b.maxResults(5).nextToken(current));
            assertThat(page.instanceInformationList()).hasSizeLessThanOrEqualTo(5);
            seen.addAll(ids(page));
            token = page.nextToken();
        } while (token != null);
        assertThat(seen).containsExactlyElementsOf(registered.stream().sorted().toList());
    }

    @Test
    void deregisteredInstanceDisappearsAndItsKeyStopsWorking() throws Exception {
        FakeAgent agent = register();
        agent.report("h", "10.0.0.1");

        server.ssm().deregisterManagedInstance(b -> b.instanceId(agent.instanceId()));

        assertThat(server.ssm().describeInstanceInformation(b -> {}).instanceInformationList())
                .isEmpty();
        assertThatThrownBy(() -> agent.report("h", "10.0.0.1"))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("UnrecognizedClientException"));
        assertThatThrownBy(() -> server.ssm().deregisterManagedInstance(b -> b.instanceId(agent.instanceId())))
                .isInstanceOf(InvalidInstanceIdException.class);
    }

    @Test
    void badReportIsRefusedAndStoresNothing() throws Exception {
        FakeAgent agent = register();
        agent.report("good-name", "10.0.0.1");
        assertThatThrownBy(() -> agent.report("x".repeat(300), "10.0.0.9"))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("computerName");
                });
        InstanceInformation info = only(server.ssm().describeInstanceInformation(b -> {}));
        assertThat(info.computerName()).isEqualTo("good-name");
        assertThat(info.ipAddress()).isEqualTo("10.0.0.1");
    }

    private FakeAgent register() throws Exception {
        return FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    private static InstanceInformation only(DescribeInstanceInformationResponse response) {
        assertThat(response.instanceInformationList()).hasSize(1);
        return response.instanceInformationList().getFirst();
    }

    private static List<String> ids(DescribeInstanceInformationResponse response) {
        return response.instanceInformationList().stream()
                .map(InstanceInformation::instanceId)
                .toList();
    }
}
