package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.DescribeActivationsFilterKeys;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class RegistrationTest {
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(clock);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void registrationGivesAManagedInstanceIdAndKeyAndInheritsTheActivationsTags() throws Exception {
        CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("r")
                .defaultInstanceName("db")
                .tags(Tag.builder().key("Patch Group").value("databases").build()));

        FakeAgent agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());

        assertThat(agent.instanceId()).matches("mi-[0-9a-f]{17}");
        assertThat(agent.accessKeyId()).matches("AKIA[A-Z2-7]{16}");
        assertThat(registrationsCount(activation.activationId())).isEqualTo(1);
        assertThat(server.ssm()
                        .listTagsForResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                                .resourceId(agent.instanceId()))
                        .tagList())
                .containsExactly(
                        Tag.builder().key("Patch Group").value("databases").build());
        agent.report("db-1", "10.0.0.5");
        assertThat(server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("InstanceIds").values(agent.instanceId())))
                        .instanceInformationList()
                        .getFirst()
                        .name())
                .isEqualTo("db");
    }

    @Test
    void anInstanceKeepsItsActivationsPatchGroupFromTheStartPatchGroupTagFirst() throws Exception {
        CreateActivationResponse both = server.ssm().createActivation(b -> b.iamRole("r")
                .tags(
                        Tag.builder().key("PatchGroup").value("second").build(),
                        Tag.builder().key("Patch Group").value("first").build()));
        CreateActivationResponse fallback = server.ssm().createActivation(b -> b.iamRole("r")
                .tags(Tag.builder().key("PatchGroup").value("only").build()));
        CreateActivationResponse none = server.ssm().createActivation(b -> b.iamRole("r"));

        assertThat(patchGroup(FakeAgent.register(server.endpoint(), both.activationId(), both.activationCode())))
                .isEqualTo("first");
        assertThat(patchGroup(
                        FakeAgent.register(server.endpoint(), fallback.activationId(), fallback.activationCode())))
                .isEqualTo("only");
        assertThat(patchGroup(FakeAgent.register(server.endpoint(), none.activationId(), none.activationCode())))
                .isEmpty();
    }

    private static String patchGroup(FakeAgent agent) {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT patch_group FROM managed_instances WHERE instance_id = :id")
                .bind("id", agent.instanceId())
                .mapTo(String.class)
                .one());
    }

    @Test
    void wrongCodeIsRefusedAndSpendsNothing() {
        CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("r"));
        assertThatThrownBy(() -> FakeAgent.register(server.endpoint(), activation.activationId(), "X".repeat(20)))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("InvalidActivation"));
        assertThat(registrationsCount(activation.activationId())).isZero();
    }

    @Test
    void unknownActivationIsRefused() {
        assertThatThrownBy(() ->
                        FakeAgent.register(server.endpoint(), "00000000-0000-0000-0000-000000000000", "A".repeat(20)))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("InvalidActivation"));
    }

    @Test
    void malformedRegistrationNamesTheField() {
        assertThatThrownBy(() -> FakeAgent.register(server.endpoint(), "not-a-uuid", "A".repeat(20)))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("activationId");
                });
    }

    @Test
    void expiredActivationIsRefusedAndNothingIsRegistered() throws Exception {
        MutableClock own = MutableClock.ofNow();
        try (TestServer local = TestServer.start(own)) {
            CreateActivationResponse activation = local.ssm().createActivation(b -> b.iamRole("r")
                    .expirationDate(own.instant().plus(Duration.ofHours(1))));
            own.advance(Duration.ofHours(1).plusSeconds(1));
            assertThatThrownBy(() -> FakeAgent.register(
                            local.endpoint(), activation.activationId(), activation.activationCode()))
                    .isInstanceOfSatisfying(ApiCallException.class, e -> {
                        assertThat(e.code()).isEqualTo("InvalidActivation");
                        assertThat(e.getMessage()).contains("expired");
                    });
            assertThat(local.ssm().describeInstanceInformation(b -> {}).instanceInformationList())
                    .isEmpty();
        }
    }

    @Test
    void deletedActivationCannotRegister() {
        CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("r"));
        server.ssm().deleteActivation(b -> b.activationId(activation.activationId()));
        assertThatThrownBy(() ->
                        FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode()))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("InvalidActivation"));
    }

    @Test
    void concurrentRegistrationsNeverExceedTheLimit() throws Exception {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(3));
        List<Future<String>> attempts = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                attempts.add(pool.submit(() -> {
                    try {
                        return FakeAgent.register(
                                        server.endpoint(), activation.activationId(), activation.activationCode())
                                .instanceId();
                    } catch (ApiCallException e) {
                        return e.code();
                    }
                }));
            }
        }
        List<String> outcomes = new ArrayList<>();
        for (Future<String> attempt : attempts) {
            outcomes.add(attempt.get());
        }
        assertThat(outcomes.stream().filter(o -> o.startsWith("mi-"))).hasSize(3);
        assertThat(outcomes.stream().filter(o -> o.equals("InvalidActivation"))).hasSize(5);
        assertThat(registrationsCount(activation.activationId())).isEqualTo(3);
    }

    private static int registrationsCount(String activationId) {
        return server.ssm()
                .describeActivations(b -> b.filters(f -> f.filterKey(DescribeActivationsFilterKeys.ACTIVATION_IDS)
                        .filterValues(activationId)))
                .activationList()
                .getFirst()
                .registrationsCount();
    }
}
