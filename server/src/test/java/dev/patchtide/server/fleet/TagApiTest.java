package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InvalidResourceIdException;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Tag;
import software.amazon.awssdk.services.ssm.model.TooManyTagsErrorException;

class TagApiTest {
    static TestServer server;
    static CreateActivationResponse activation;
    String instanceId;

    @BeforeAll
    static void start() {
        server = TestServer.start(MutableClock.ofNow());
        activation = server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(50));
    }

    @BeforeEach
    void newInstance() throws Exception {
        instanceId = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode())
                .instanceId();
    }

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void addOverwritesListSortsAndRemoveDeletes() {
        add(tag("Patch Group", "web"), tag("env", "prod"));
        add(tag("env", "staging"));
        assertThat(list()).containsExactly(tag("Patch Group", "web"), tag("env", "staging"));

        server.ssm().removeTagsFromResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(instanceId)
                .tagKeys("env", "never-there"));
        assertThat(list()).containsExactly(tag("Patch Group", "web"));
    }

    @Test
    void unknownResourcesAndTypesAreRefused() {
        assertThatThrownBy(() -> server.ssm()
                        .listTagsForResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                                .resourceId("mi-00000000000000000")))
                .isInstanceOf(InvalidResourceIdException.class);
        assertThatThrownBy(() -> server.ssm()
                        .addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MAINTENANCE_WINDOW)
                                .resourceId("mw-0123456789abcdef0")
                                .tags(tag("a", "b"))))
                .isInstanceOf(InvalidResourceIdException.class);
        assertThatThrownBy(() -> server.ssm().addTagsToResource(b -> b.resourceType("Spaceship")
                        .resourceId(instanceId)
                        .tags(tag("a", "b"))))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidResourceType"));
    }

    @Test
    void tooManyTagsIsRefusedWithoutAddingAny() {
        List<Tag> tags = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            tags.add(tag("k" + i, "v"));
        }
        add(tags.toArray(Tag[]::new));
        List<Tag> more = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            more.add(tag("extra" + i, "v"));
        }
        assertThatThrownBy(() -> add(more.toArray(Tag[]::new))).isInstanceOf(TooManyTagsErrorException.class);
        assertThat(list()).hasSize(45);
    }

    @Test
    void invalidTagIsRefusedNamingTheField() {
        assertThatThrownBy(() -> add(tag("ok", "fine"), tag("", "empty key")))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
                .hasMessageContaining("tags.2.member.key");
        assertThat(list()).isEmpty();
    }

    private void add(Tag... tags) {
        server.ssm().addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(instanceId)
                .tags(tags));
    }

    private List<Tag> list() {
        return server.ssm()
                .listTagsForResource(b ->
                        b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE).resourceId(instanceId))
                .tagList();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }
}
